import pytest
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
