"""docker-compose.yml and the Dockerfile, checked without Docker (no engine runs on these machines).

What matters: the services the app needs are there and report their health; nothing starts before what
it uses is healthy and migrated; each runs the right command; no secret is written into the files; and
Django's deploy check passes with the environment the web service is given.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP = ("web", "worker", "beat")  # long-running, from the app's image
ONE_OFF = ("migrate",)  # runs to completion before the app starts
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY|TOKEN", re.IGNORECASE)


def _dotenv(path: Path) -> dict[str, str]:
    """KEY=value lines as Compose reads an env_file: comments skipped, surrounding quotes removed."""
    values = {}
    for line in path.read_text().splitlines():
        name, separator, value = line.strip().partition("=")
        if separator and not name.startswith("#"):
            value = value.strip()
            values[name.strip()] = value[1:-1] if value[:1] == value[-1:] and value[:1] in "\"'" else value
    return values


def _dockerfile() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [tuple(line.split(None, 1)) for line in lines]


def test_the_stack_has_the_app_its_database_and_its_broker():
    assert set(SERVICES) == {*APP, *ONE_OFF, "db", "redis"}
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert SERVICES["redis"]["image"].startswith("redis:")
    # One image for every process of the app, so web, worker and beat never run different code.
    assert {SERVICES[name]["build"] for name in (*APP, *ONE_OFF)} == {"."}


@pytest.mark.parametrize("service", [name for name in SERVICES if name not in ONE_OFF])
def test_every_long_running_service_has_a_health_check(service):
    check = SERVICES[service]["healthcheck"]
    assert check["test"][0] in {"CMD", "CMD-SHELL"} and check["test"][1:]
    assert not check.get("disable")


def test_nothing_starts_before_what_it_uses_is_healthy_and_migrated():
    for name, service in SERVICES.items():
        for dependency, rule in service.get("depends_on", {}).items():
            wanted = "service_completed_successfully" if dependency in ONE_OFF else "service_healthy"
            assert rule["condition"] == wanted, f"{name} → {dependency}"
    for name in APP:
        assert {"db", "redis", "migrate"} <= set(SERVICES[name]["depends_on"]), name
    assert set(SERVICES["migrate"]["depends_on"]) == {"db"}


def test_the_database_is_migrated_once_before_the_site_serves():
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert SERVICES["migrate"]["restart"] == "no"  # a one-off: restarted, it would hold the others back


def test_web_serves_the_wsgi_app_with_gunicorn_on_the_published_port():
    command = SERVICES["web"]["command"]
    assert command[:2] == ["gunicorn", "partnership.wsgi"]
    assert command[command.index("--bind") + 1] == "0.0.0.0:8000"
    assert all(port.endswith(":8000") for port in SERVICES["web"]["ports"])
    # The image alone (docker run) serves the site the same way.
    assert json.loads(dict(_dockerfile())["CMD"]) == command


def test_a_celery_worker_and_exactly_one_beat_run_the_apps_tasks():
    worker, beat = SERVICES["worker"]["command"], SERVICES["beat"]["command"]
    assert worker[:4] == ["celery", "-A", "partnership", "worker"]
    # Beat runs beside the worker, once: a worker with --beat as well would send every periodic task twice.
    assert not {"--beat", "-B"} & set(worker)
    assert beat[:4] == ["celery", "-A", "partnership", "beat"]
    assert SERVICES["beat"].get("deploy", {}).get("replicas", 1) == 1
    # A warm shutdown lets a running task finish within its hard time limit (90 s).
    assert SERVICES["worker"]["stop_grace_period"] in {"2m", "120s"}


def test_the_app_never_runs_in_debug_whatever_env_file_says():
    for name in (*APP, *ONE_OFF):
        assert SERVICES[name]["environment"]["DEBUG"] == "false", name
    assert "DEBUG=false" in dict(_dockerfile())["ENV"]


def test_no_secret_is_written_into_the_compose_file():
    for name, service in SERVICES.items():
        environment = service.get("environment", {})
        for variable, value in environment.items():
            if SECRET_NAME.search(variable):
                # Required from .env, never defaulted: "${POSTGRES_PASSWORD:?...}".
                assert re.fullmatch(rf"\$\{{{variable}:\?[^}}]*\}}", str(value)), f"{name}: {variable}"
    text = (ROOT / "docker-compose.yml").read_text()
    assert not re.search(r"\w+://[^/\s:@]+:[^@\s$]+@", text), "a URL with a password in it"
    for variable in re.findall(r"\$\{(\w+):-", text):  # defaults only for what is no secret
        assert not SECRET_NAME.search(variable), variable
    # The app's secrets come from .env, which never goes into the image.
    assert {SERVICES[name]["env_file"] for name in (*APP, *ONE_OFF)} == {".env"}
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_env_example_leaves_every_secret_to_be_filled_in():
    example = _dotenv(ROOT / ".env.example")
    assert example["SECRET_KEY"] == "" and example["POSTGRES_PASSWORD"] == "" and example["NOTIFY_API_KEY"] == ""
    for url in ("DATABASE_URL", "EMAIL_URL"):
        assert urlsplit(example[url]).password.startswith("REPLACE-WITH-"), url
    # It points at the compose services, with the credentials POSTGRES_* create.
    database = urlsplit(example["DATABASE_URL"])
    assert (database.hostname, database.username, database.path) == ("db", example["POSTGRES_USER"],
                                                                      "/" + example["POSTGRES_DB"])
    assert urlsplit(example["CELERY_BROKER_URL"]).hostname == "redis"


def test_env_example_documents_every_variable_the_settings_read():
    helpers = r"_(?:str|choice|bool|int|list|dict|url|database_url|email_url)"
    read = set(re.findall(helpers + r'\("([A-Z_]+)"', (ROOT / "partnership" / "settings.py").read_text()))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= read
    assert read - {"TESTING"} <= documented


def test_the_image_runs_as_an_unprivileged_user_with_the_pinned_dependencies():
    instructions = _dockerfile()
    kinds = [kind for kind, _ in instructions]
    last_user = len(kinds) - 1 - kinds[::-1].index("USER")
    assert instructions[last_user][1] not in {"root", "0"} and "RUN" not in kinds[last_user:]
    assert ("RUN", "pip install -c constraints.txt .") in instructions
    pinned = {line.split("==")[0].lower() for line in (ROOT / "constraints.txt").read_text().split() if "==" in line}
    for dependency in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        assert re.match(r"[\w.-]+", dependency).group(0).lower().replace("_", "-") in pinned, dependency


def test_the_deploy_check_passes_with_the_web_services_environment():
    """.env.example filled in as its comments ask, with the compose file's environment on top."""
    environment = _dotenv(ROOT / ".env.example") | {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": "local-only",
    }
    environment["DATABASE_URL"] = environment["DATABASE_URL"].replace("REPLACE-WITH-POSTGRES_PASSWORD", "local-only")
    environment |= {name: str(value) for name, value in SERVICES["web"]["environment"].items()}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8", **environment},
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
