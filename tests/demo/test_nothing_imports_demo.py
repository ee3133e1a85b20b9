"""The demo may import every app; no app imports the demo, not even inside a function or by dotted path."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

APPS = ["partnership", "organisations", "referrals"]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("demo."):
            found.append((node.lineno, node.value))  # import_string("demo....") and the like
    return found


def test_no_app_imports_the_demo():
    offending = [
        f"{path.relative_to(settings.BASE_DIR)}:{line} {module}"
        for app in APPS
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py"))
        for line, module in imported_modules(path)
        if module == "demo" or module.startswith("demo.")
    ]
    assert offending == []


def test_the_demo_is_the_last_of_the_projects_apps():
    ours = [app for app in settings.INSTALLED_APPS if app.split(".")[0] in [*APPS, "demo"]]
    assert ours[-1] == "demo" and settings.INSTALLED_APPS[-1] == "demo"
