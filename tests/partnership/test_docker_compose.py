"""docker-compose.yml, the Dockerfile and .env.example, checked without Docker.

No Docker engine runs on these machines, so the stack is taken apart: the file's shape is read with
PyYAML, and each command and health check it names is run here, with the environment .env.example
describes, against the local PostgreSQL (pytest-django's test database) and Redis (database 12).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import redis
import yaml

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/12"
APP_SERVICES = ("web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat", "db", "redis")
# One stack at a time (it uses one Redis database): under pytest-xdist this module keeps to one worker.
pytestmark = pytest.mark.xdist_group("docker-compose")


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _dotenv(path: Path) -> dict[str, str]:
    """KEY=value lines as Compose reads them: comments skipped, surrounding quotes removed."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def _base_env() -> dict[str, str]:
    """A clean environment: the virtualenv's commands first, nothing from this test run."""
    return {"PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
            "HOME": os.environ.get("HOME", "/tmp")}


def _production_env(database_url: str) -> dict[str, str]:
    """What an app container gets: .env.example filled in, the compose file's overrides on top, and the
    compose services' addresses (db, redis) swapped for the local ones."""
    compose = _compose()
    env = _base_env() | _dotenv(ROOT / ".env.example")
    env |= {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": REDIS_URL,
        "WEB_CONCURRENCY": "1",  # one gunicorn worker starts fastest
        "HOSTNAME": socket.gethostname(),  # Docker sets it to the container's hostname
    }
    env |= {name: str(value) for name, value in compose["services"]["web"].get("environment", {}).items()}
    return env


def _test_database_url() -> str:
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("runs the stack against PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/...")
    credentials = quote(database["USER"] or "postgres")
    if database.get("PASSWORD"):
        credentials += ":" + quote(database["PASSWORD"])
    return (f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
            f"/{database['NAME']}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _on_port(text: str, port: int) -> str:
    """A command of the compose file, moved from the container's port 8000 to a free local one."""
    return text.replace("0.0.0.0:8000", f"127.0.0.1:{port}").replace("127.0.0.1:8000", f"127.0.0.1:{port}")


def _health_check(service: str, *, port: int = 8000) -> list[str]:
    """The service's health check as an argument list (CMD-SHELL through sh, with Compose's $$ unescaped)."""
    kind, *rest = _compose()["services"][service]["healthcheck"]["test"]
    if kind == "CMD-SHELL":
        return ["sh", "-c", _on_port(rest[0].replace("$$", "$"), port)]
    assert kind == "CMD"
    return [_on_port(part, port) for part in rest]


def _run(args: list[str], env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


# --- The compose file's shape --------------------------------------------------------------------


def test_compose_defines_the_five_services_and_a_one_off_migration():
    services = _compose()["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis", "migrate"}
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"].startswith("redis:7")
    assert services["web"]["command"][:2] == ["gunicorn", "partnership.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "partnership", "worker"]
    assert {"--without-mingle", "--without-gossip"} <= set(services["worker"]["command"])
    assert services["beat"]["command"][:4] == ["celery", "-A", "partnership", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_every_long_running_service_has_a_health_check(service):
    check = _compose()["services"][service]["healthcheck"]
    assert check["test"][0] in {"CMD", "CMD-SHELL"} and check["test"][1:]
    assert check["interval"] and check["timeout"] and check["retries"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_start_only_when_their_dependencies_are_healthy_and_migrated(service):
    depends_on = _compose()["services"][service]["depends_on"]
    assert depends_on == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


def test_migration_waits_for_a_healthy_database():
    assert _compose()["services"]["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}


def test_database_and_broker_keep_their_data_in_named_volumes():
    compose = _compose()
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    assert "redis-data:/data" in compose["services"]["redis"]["volumes"]
    assert {"postgres-data", "redis-data"} <= set(compose["volumes"])


@pytest.mark.parametrize("service", ("migrate", *APP_SERVICES))
def test_app_services_read_env_file_and_never_run_in_debug(service):
    definition = _compose()["services"][service]
    assert definition["env_file"] == ".env"
    assert definition["environment"]["DEBUG"] == "false"
    assert definition["build"] == "."


def test_database_password_is_required_not_defaulted():
    assert _compose()["services"]["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


# --- .env.example --------------------------------------------------------------------------------


def test_env_example_documents_every_variable_the_settings_read():
    settings_source = (ROOT / "partnership/settings.py").read_text()
    read = set(re.findall(r'(?:_read|_bool|_int|os\.environ\.get)\("([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read - {"TESTING"} <= documented
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "SITE_URL", "EMAIL_URL",
            "DEFAULT_FROM_EMAIL", "NOTIFY_API_KEY", "CSRF_TRUSTED_ORIGINS", "PARTNERSHIP_SLUG"} <= documented


def test_env_example_points_at_the_compose_services_and_holds_no_secret():
    example = _dotenv(ROOT / ".env.example")
    database = urlsplit(example["DATABASE_URL"])
    assert (database.scheme, database.hostname, database.port) == ("postgres", "db", 5432)
    assert database.username == example["POSTGRES_USER"] and database.path == "/" + example["POSTGRES_DB"]
    broker = urlsplit(example["CELERY_BROKER_URL"])
    assert (broker.scheme, broker.hostname) == ("redis", "redis")
    assert example["DEBUG"] == "false"
    assert example["SECRET_KEY"] == "" and example["POSTGRES_PASSWORD"] == ""
    assert "$" not in (ROOT / ".env.example").read_text().replace("`$`", "")


# --- The Dockerfile ------------------------------------------------------------------------------


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerfile_installs_the_pinned_dependencies_on_python_311_slim():
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    assert ("RUN", "pip install -c constraints.txt .") in instructions
    assert json.loads(dict(instructions)["CMD"]) == _compose()["services"]["web"]["command"]


def test_dockerfile_runs_as_an_unprivileged_user():
    instructions = _dockerfile_instructions()
    kinds = [kind for kind, _ in instructions]
    last_user = len(kinds) - 1 - kinds[::-1].index("USER")
    assert instructions[last_user][1] not in {"root", "0"}
    assert "RUN" not in kinds[last_user:]


def test_every_runtime_dependency_is_pinned_in_constraints():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    constraints = (ROOT / "constraints.txt").read_text().splitlines()
    pinned = {line.split("==")[0].lower() for line in constraints if "==" in line}
    for dependency in dependencies:
        name = re.match(r"[A-Za-z0-9_.-]+", dependency).group(0).lower().replace("_", "-")
        assert name in pinned, f"{name} is not pinned in constraints.txt"


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".dev-secret-key", "db.sqlite3", ".venv", ".git", "node_modules", "staticfiles"} <= ignored


# --- The stack, run without Docker -----------------------------------------------------------------
# web, worker and beat as the compose file starts them, and beside them the one-off commands: the image's
# collectstatic step, migrate, the deploy check and the db and redis health checks. Everything starts at
# once, since each spends most of its time importing Django.


def _collectstatic_step(static_root: Path) -> tuple[list[str], dict[str, str]]:
    """The Dockerfile's collectstatic step, with its build-time environment, writing to static_root."""
    (step,) = [args for kind, args in _dockerfile_instructions() if kind == "RUN" and "collectstatic" in args]
    assignments = dict(word.split("=", 1) for word in shlex.split(step) if re.match(r"^[A-Z_]+=", word))
    assert assignments["DEBUG"] == "false"
    script = ("import sys, django; django.setup(); from django.conf import settings; "
              "settings.STATIC_ROOT = sys.argv[1]; from django.core.management import call_command; "
              "call_command('collectstatic', '--noinput', verbosity=0)")
    env = _base_env() | {"DJANGO_SETTINGS_MODULE": "partnership.settings"} | assignments
    return ["python", "-c", script, str(static_root)], env


@dataclass
class Stack:
    port: int
    env: dict[str, str]
    static_root: Path
    processes: dict[str, subprocess.Popen]
    logs: dict[str, Path]
    one_offs: dict[str, subprocess.CompletedProcess]


def _wait_for(condition, what: str, stack: Stack, last_output=lambda: "", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in stack.processes.items():
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}:\n{stack.logs[name].read_text()[-3000:]}")
        if condition():
            return
        time.sleep(0.1)
    logs = "\n".join(f"--- {name}\n{log.read_text()[-1500:]}" for name, log in stack.logs.items())
    pytest.fail(f"timed out waiting for {what}:\n{last_output()}\n{logs}")


def _healthz(stack: Stack) -> tuple[int, dict | str]:
    """GET /healthz as the site's first host name: the status and the JSON (or the error)."""
    host = stack.env["ALLOWED_HOSTS"].split(",")[0]
    request = urllib.request.Request(f"http://127.0.0.1:{stack.port}/healthz", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, repr(error)


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    """Signal every process first, then wait: one after another, their shutdowns would add up."""
    for name, process in processes.items():
        if process.poll() is None:
            if name == "worker":
                # Nothing is running on it, and a warm shutdown takes seconds: end it and its pool.
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# The stack's tests are marked django_db, for pytest-django creates the test database only when some test
# asks for one; they use it only through the processes they start.
@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory) -> Iterator[Stack]:
    from django.conf import settings

    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    port = _free_port()
    env = _production_env(_test_database_url())
    work = tmp_path_factory.mktemp("stack")
    services = _compose()["services"]
    long_running = {
        "web": [_on_port(part, port) for part in services["web"]["command"]],
        "worker": services["worker"]["command"],
        "beat": [part.replace("/tmp/celerybeat-schedule", str(work / "celerybeat-schedule"))
                 for part in services["beat"]["command"]],
    }
    database_env = _base_env() | {"POSTGRES_USER": settings.DATABASES["default"]["USER"] or "postgres",
                                  "POSTGRES_DB": settings.DATABASES["default"]["NAME"]}
    one_offs = {
        "collectstatic": _collectstatic_step(work / "static"),
        "migrate": (services["migrate"]["command"], env),
        "check --deploy": (["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env),
        "db health check": (_health_check("db"), database_env),
        "redis health check": (_health_check("redis"), database_env),
    }
    stack = Stack(port=port, env=env, static_root=work / "static", processes={}, logs={}, one_offs={})
    started: dict[str, subprocess.Popen] = {}
    try:
        for name, command in long_running.items():
            stack.logs[name] = work / f"{name}.log"
            with stack.logs[name].open("w") as log:
                stack.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                                         stderr=subprocess.STDOUT, start_new_session=True)
        for name, (command, command_env) in one_offs.items():
            started[name] = subprocess.Popen(command, cwd=ROOT, env=command_env, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, text=True)
        for name, process in started.items():
            stdout, stderr = process.communicate(timeout=60)
            stack.one_offs[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        _wait_for(lambda: _run(_health_check("web", port=port), env).returncode == 0, "the web health check", stack,
                  lambda: _healthz(stack)[1])
        _wait_for(lambda: " ready." in stack.logs["worker"].read_text(), "the worker", stack)
        _wait_for(lambda: "beat: Starting" in stack.logs["beat"].read_text(), "beat", stack)
        yield stack
    finally:
        for process in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()
        _stop(stack.processes)
        broker.flushdb()
        broker.close()


@pytest.mark.django_db
def test_dockerfile_collectstatic_step_works_with_its_build_time_values(stack):
    result = stack.one_offs["collectstatic"]
    assert result.returncode == 0, result.stderr
    manifest = json.loads((stack.static_root / "staticfiles.json").read_text())
    assert "css/app.css" in manifest["paths"]


@pytest.mark.django_db
def test_migrate_command_runs_with_the_compose_settings(stack):
    result = stack.one_offs["migrate"]
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_deploy_check_reports_nothing_with_the_compose_settings(stack):
    result = stack.one_offs["check --deploy"]
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert result.stderr == ""


@pytest.mark.django_db
def test_database_and_broker_health_checks_pass_against_running_servers(stack):
    assert stack.one_offs["db health check"].returncode == 0, stack.one_offs["db health check"].stdout
    assert stack.one_offs["redis health check"].returncode == 0


@pytest.mark.django_db
def test_web_serves_healthz_with_database_and_broker_ok(stack):
    assert _healthz(stack) == (200, {"status": "ok", "checks": {"database": "ok", "broker": "ok"}})


@pytest.mark.django_db
def test_web_health_check_fails_when_nothing_answers(stack):
    assert _run(_health_check("web", port=_free_port()), stack.env).returncode != 0


@pytest.mark.django_db
def test_worker_health_check_finds_the_worker(stack):
    result = _run(_health_check("worker"), stack.env)
    assert result.returncode == 0, result.stderr
    assert "pong" in result.stdout


@pytest.mark.django_db
def test_beat_health_check_reaches_the_broker(stack):
    assert stack.processes["beat"].poll() is None
    result = _run(_health_check("beat"), stack.env)
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_beat_health_check_fails_when_the_broker_is_down(stack):
    assert _run(_health_check("beat"), stack.env | {"CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}).returncode != 0
