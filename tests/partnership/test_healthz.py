import pytest
from django.db import OperationalError
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client):
    # Nothing listens on port 1: the broker check fails fast and the page says so.
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        from partnership.celery import app

        app.conf.broker_url = "redis://127.0.0.1:1/0"
        try:
            response = client.get("/healthz")
        finally:
            app.conf.broker_url = "memory://"
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] != "ok"


class _UnreachableDatabase:
    """Stands in for the database connection the health check uses, as a server that has gone away."""

    def cursor(self):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr("partnership.views.connection", _UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "OperationalError"}}
