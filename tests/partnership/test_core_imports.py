"""The core knows no app: nothing in partnership/ (the notifications included) imports organisations or
referrals, not even inside a function. The apps register with it instead (their AppConfig.ready())."""

from __future__ import annotations

import ast
from pathlib import Path

import partnership

APPS_ABOVE = ("organisations", "referrals", "demo")
CORE = Path(partnership.__file__).parent


def imported_modules(tree: ast.AST, module: str) -> set[str]:
    """Every module an import statement names, anywhere in the module (relative ones resolved)."""
    found = set()
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parents = parts[: len(parts) - node.level + 1]
                base = ".".join([*parents, base] if base else parents)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)
              and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("import_module", "__import__")
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.add(str(node.args[0].value))
    return found


def core_modules() -> list[tuple[str, Path]]:
    modules = []
    for path in sorted(CORE.rglob("*.py")):
        relative = path.relative_to(CORE.parent).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts = [*parts[:-1], "__init__"]
        modules.append((".".join(parts), path))
    return modules


def test_the_core_walks_its_notifications_too():
    names = {name for name, _ in core_modules()}
    assert {"partnership.notifications.outbox", "partnership.notifications.delivery",
            "partnership.notifications.govuk_notify", "partnership.notifications.messages",
            "partnership.notifications.views", "partnership.urls", "partnership.settings"} <= names


def test_nothing_in_the_core_imports_an_app_above_it():
    offending = []
    for module, path in core_modules():
        for imported in imported_modules(ast.parse(path.read_text(), filename=str(path)), module):
            if imported.split(".")[0] in APPS_ABOVE:
                offending.append(f"{path.relative_to(CORE.parent)} imports {imported}")
    assert not offending, "\n".join(offending)


def test_the_check_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from referrals import notifications\n")
    assert "referrals.notifications" in imported_modules(tree, "partnership.notifications.outbox")
    tree = ast.parse("from ..x import y\n")
    assert "partnership.x.y" in imported_modules(tree, "partnership.notifications.outbox")
