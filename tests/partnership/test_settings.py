"""The settings: the embedded demo with no environment at all, and a loud, named failure on a bad value.

Start-up is tested as it happens: `manage.py check` in a fresh process with a clean environment
(`env -i`), since the settings are read once per process and this test run's own environment must not
leak in. Those processes run side by side; each costs little more than an interpreter starting. The
further bad values run the settings file itself, fresh, with exactly the environment given.
"""

from __future__ import annotations

import ast
import json
import os
import runpy
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-test-secret-that-is-long-enough-for-production-7f3k9q2w8e4r",
    "ALLOWED_HOSTS": "hub.example.org",
}

# Each bad value, and the variable the message that stops start-up must name.
AT_START_UP: list[tuple[str, dict[str, str]]] = [
    ("DEBUG", {"DEBUG": "maybe"}),
    ("DATABASE_URL", {"DATABASE_URL": "nonsense://"}),
    ("CONN_MAX_AGE", {"CONN_MAX_AGE": "abc"}),
    ("SECRET_KEY", {"DEBUG": "false", "ALLOWED_HOSTS": "hub.example.org"}),
    ("ALLOWED_HOSTS", {"DEBUG": "false", "SECRET_KEY": PRODUCTION["SECRET_KEY"]}),
    ("CELERY_TASK_TIME_LIMIT", {"CELERY_TASK_TIME_LIMIT": "60"}),
]
MORE_BAD_VALUES: list[tuple[str, dict[str, str]]] = [
    ("DATABASE_URL", {"DATABASE_URL": "mysql://hub@db/hub"}),
    ("DATABASE_URL", {"DATABASE_URL": "hub:password@db:5432/hub"}),
    ("DATABASE_URL", {"DATABASE_URL": ""}),
    ("CONN_MAX_AGE", {"CONN_MAX_AGE": "-1", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/hub"}),
    ("SECRET_KEY", {**PRODUCTION, "SECRET_KEY": "too-short"}),
    ("ALLOWED_HOSTS", {**PRODUCTION, "ALLOWED_HOSTS": ""}),
    ("CELERY_TASK_TIME_LIMIT", {"CELERY_TASK_SOFT_TIME_LIMIT": "120", "CELERY_TASK_TIME_LIMIT": "90"}),
    ("CELERY_TASK_SOFT_TIME_LIMIT", {"CELERY_TASK_SOFT_TIME_LIMIT": "0"}),
    ("CELERY_TASK_ALWAYS_EAGER", {"CELERY_TASK_ALWAYS_EAGER": "sometimes"}),
    ("EMAIL_URL", {"EMAIL_URL": "carrier-pigeon://loft"}),
    ("SITE_URL", {"SITE_URL": "hub.example.org"}),
    ("DIRECTORY_PAGE_SIZE", {"DIRECTORY_PAGE_SIZE": "0"}),
    ("SECURE_HSTS_SECONDS", {"SECURE_HSTS_SECONDS": "a year"}),
    ("DATABASE_CONNECT_TIMEOUT", {"DATABASE_CONNECT_TIMEOUT": "0"}),
    ("EMAIL_TIMEOUT", {"EMAIL_TIMEOUT": "never"}),
    ("NOTIFY_API_KEY", {"NOTIFY_API_KEY": "not-a-whole-key"}),
    ("NOTIFY_EMAIL", {"NOTIFY_EMAIL": "true"}),
    ("NOTIFY_TEMPLATE_IDS", {"NOTIFY_TEMPLATE_IDS": "prescription_sent"}),
    ("SMS_BACKEND", {"SMS_BACKEND": "pigeon"}),
    ("SMS_BACKEND", {"SMS_BACKEND": "notify"}),
    ("NOTIFICATION_MAX_ATTEMPTS", {"NOTIFICATION_MAX_ATTEMPTS": "0"}),
    ("CELERY_TASK_TIME_LIMIT", {"CELERY_TASK_SOFT_TIME_LIMIT": "1000", "CELERY_TASK_TIME_LIMIT": "2000"}),
    ("CELERY_TASK_TIME_LIMIT", {"CELERY_VISIBILITY_TIMEOUT": "120"}),
    # A yes/no or a number that does not parse is an error, never quietly false or the default.
    ("SECURE_SSL_REDIRECT", {**PRODUCTION, "SECURE_SSL_REDIRECT": "ture"}),
    ("ACCOUNT_ALLOW_SIGNUPS", {"ACCOUNT_ALLOW_SIGNUPS": "ture"}),
    ("TESTING", {"TESTING": "ture"}),
    ("DIRECTORY_PAGE_SIZE", {"DIRECTORY_PAGE_SIZE": "20.5"}),
    ("NOTIFICATION_MAX_ATTEMPTS", {"NOTIFICATION_MAX_ATTEMPTS": "eight"}),
    ("NOTIFY_TEMPLATE_IDS", {"NOTIFY_TEMPLATE_IDS": "prescription_sent="}),
    ("NOTIFY_BASE_URL", {"NOTIFY_BASE_URL": "api.notifications.service.gov.uk"}),
    ("ACCOUNT_EMAIL_VERIFICATION", {"ACCOUNT_EMAIL_VERIFICATION": "sometimes"}),
    ("LOG_LEVEL", {"LOG_LEVEL": "loud"}),
]


def _clean_env(**values: str) -> dict[str, str]:
    return {"PATH": f"{Path(PYTHON).parent}:/usr/bin:/bin", "LANG": "C.UTF-8", **values}


def _manage_check(environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", "check"], cwd=ROOT, env=_clean_env(**environment),
                          capture_output=True, text=True, timeout=60)


def _settings_with(environment: dict[str, str]) -> dict:
    """The settings file run afresh with exactly this environment, leaving the loaded settings alone."""
    with mock.patch.dict(os.environ, environment, clear=True):
        return runpy.run_path(str(ROOT / "partnership" / "settings.py"))


@pytest.fixture(scope="module")
def checks() -> dict[str, subprocess.CompletedProcess]:
    environments = {"demo": {}, "production": PRODUCTION}
    environments |= {f"bad-{index}": environment for index, (_, environment) in enumerate(AT_START_UP)}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(environments, pool.map(_manage_check, environments.values()), strict=True))


def test_no_environment_gives_the_embedded_demo():
    script = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "partnership.settings"
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "NAME": str(settings.DATABASES["default"]["NAME"]),
    "EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "BROKER": settings.CELERY_BROKER_URL,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "SECRET_KEY": settings.SECRET_KEY,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
}))
"""
    result = subprocess.run([PYTHON, "-c", script], cwd=ROOT, env=_clean_env(), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    demo = json.loads(result.stdout)
    assert demo["DEBUG"] is True
    assert demo["ENGINE"] == "django.db.backends.sqlite3"
    assert demo["NAME"] == str(ROOT / "db.sqlite3")
    assert demo["EAGER"] is True and demo["BROKER"] == "memory://"
    assert demo["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    # A development secret of its own, kept beside the demo database so sessions survive a restart.
    assert len(demo["SECRET_KEY"]) >= 50
    assert demo["SECRET_KEY"] == (ROOT / ".dev-secret-key").read_text().strip()
    assert "127.0.0.1" in demo["ALLOWED_HOSTS"] and demo["SECURE_SSL_REDIRECT"] is False


def test_no_environment_passes_the_system_checks(checks):
    assert checks["demo"].returncode == 0, checks["demo"].stderr
    assert "System check identified no issues" in checks["demo"].stdout


def test_production_values_pass_the_system_checks(checks):
    assert checks["production"].returncode == 0, checks["production"].stderr
    assert "System check identified no issues" in checks["production"].stdout


@pytest.mark.parametrize(("case", "variable"), [(index, variable) for index, (variable, _) in enumerate(AT_START_UP)])
def test_a_bad_value_stops_start_up_naming_the_variable(checks, case, variable):
    result = checks[f"bad-{case}"]
    assert result.returncode != 0
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("partnership.settings.SettingsError:"), result.stderr
    assert f"Environment variable {variable} " in error


@pytest.mark.parametrize(("variable", "environment"), MORE_BAD_VALUES)
def test_more_bad_values_fail_naming_the_variable(variable, environment):
    with pytest.raises(ImproperlyConfigured, match=f"^Environment variable {variable} "):
        _settings_with(environment)


def test_a_database_url_without_a_scheme_is_reported_without_its_password():
    with warnings.catch_warnings(record=True) as caught, pytest.raises(ImproperlyConfigured) as error:
        warnings.simplefilter("always")
        _settings_with({"DATABASE_URL": "hub:s3cret-password@db:5432/hub"})
    assert "s3cret-password" not in str(error.value)
    assert not [warning for warning in caught if "s3cret-password" in str(warning.message)]


def test_production_values_give_the_strict_security_settings():
    production = _settings_with({**PRODUCTION, "DATABASE_URL": "postgres://hub:pw@db:5432/hub",
                                 "CELERY_BROKER_URL": "redis://redis:6379/0"})
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["DATABASES"]["default"]["CONN_MAX_AGE"] == 60
    assert production["CELERY_TASK_ALWAYS_EAGER"] is False
    assert production["STORAGES"]["staticfiles"]["BACKEND"].startswith("whitenoise.")


def test_text_messages_go_to_the_console_in_the_demo_to_notify_with_a_key_and_nowhere_silently_otherwise():
    key = "hub-" + "1" * 8 + "-1111-4111-8111-" + "1" * 12 + "-" + "2" * 8 + "-2222-4222-8222-" + "2" * 12
    assert _settings_with({})["SMS_BACKEND"] == "console"
    assert _settings_with({**PRODUCTION})["SMS_BACKEND"] == "disabled"
    with_notify = _settings_with({**PRODUCTION, "NOTIFY_API_KEY": key,
                                  "NOTIFY_TEMPLATE_IDS": "prescription_sent=abc,carer_item_status=def"})
    assert with_notify["SMS_BACKEND"] == "notify"
    assert with_notify["NOTIFY_TEMPLATE_IDS"] == {"prescription_sent": "abc", "carer_item_status": "def"}


def test_neither_postgresql_nor_the_mail_server_can_hang_a_request_or_task_for_long():
    configured = _settings_with({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/hub"})
    assert configured["DATABASES"]["default"]["OPTIONS"]["connect_timeout"] == 5
    assert configured["EMAIL_TIMEOUT"] == 20
    assert configured["CELERY_BROKER_TRANSPORT_OPTIONS"]["socket_timeout"] == 5
    assert configured["CELERY_TASK_PUBLISH_RETRY_POLICY"] == {"max_retries": 0}


def test_every_setting_is_read_through_the_settings_own_helpers():
    """One way to read the environment, so every variable fails loudly on a value it cannot parse."""
    tree = ast.parse((ROOT / "partnership" / "settings.py").read_text())
    helpers = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    readers = set()
    for function in (node for node in tree.body if isinstance(node, ast.FunctionDef)):
        for node in ast.walk(function):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                readers.add(function.name)
    assert readers <= helpers and readers
    outside = [node for node in tree.body if not isinstance(node, ast.FunctionDef)]
    for statement in outside:
        for node in ast.walk(statement):
            assert not (isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}), ast.unparse(statement)
            assert not (isinstance(node, ast.Name) and node.id == "env"), ast.unparse(statement)


def test_lists_and_pairs_ignore_spaces_and_empty_entries():
    configured = _settings_with({**PRODUCTION, "ALLOWED_HOSTS": "hub.example.org, .hub.example.org,",
                                 "NOTIFY_TEMPLATE_IDS": " prescription_sent = abc ,"})
    assert configured["ALLOWED_HOSTS"] == ["hub.example.org", ".hub.example.org"]
    assert configured["NOTIFY_TEMPLATE_IDS"] == {"prescription_sent": "abc"}


def test_an_email_url_that_does_not_parse_is_reported_without_its_password():
    with pytest.raises(ImproperlyConfigured, match="^Environment variable EMAIL_URL ") as error:
        _settings_with({"EMAIL_URL": "smtp+starttls://hub:s3cret-password@smtp.example.org:587"})
    assert "s3cret-password" not in str(error.value)
