"""A stand-in for GOV.UK Notify's HTTP API on localhost: the only thing faked is the outside service.

It checks what Notify checks (a JWT signed with the key's secret, issued by the key's service id) and
answers with whatever the test queues: 201 by default, or a 400, 429 or 500 with Notify's error body.
The app talks to it through the real notifications-python-client over real HTTP.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"partnership_hub_test-{SERVICE_ID}-{SECRET}"
SMS_TEMPLATE_ID = str(uuid.uuid4())
EMAIL_TEMPLATE_ID = str(uuid.uuid4())


def error_body(status: int, error: str, message: str) -> dict:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


@dataclass
class FakeNotify:
    url: str = ""
    requests: list = field(default_factory=list)
    responses: list = field(default_factory=list)  # (status, body) to answer next, in order
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, status: int, body: dict | None = None, times: int = 1) -> None:
        self.responses.extend([(status, body or {})] * times)

    def sms(self) -> list[dict]:
        return [request["json"] for request in self.requests if request["path"] == "/v2/notifications/sms"]

    def emails(self) -> list[dict]:
        return [request["json"] for request in self.requests if request["path"] == "/v2/notifications/email"]


def _handler(fake: FakeNotify):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 — the http.server API
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                claims = jwt.decode(token, SECRET, algorithms=["HS256"])
                authorised = claims.get("iss") == SERVICE_ID
            except jwt.PyJWTError:
                authorised = False
            with fake.lock:
                fake.requests.append({"path": self.path, "json": body, "authorised": authorised})
                queued = fake.responses.pop(0) if fake.responses else None
            if not authorised:
                status, reply = 403, error_body(403, "AuthError", "Invalid token: signature")
            elif queued is not None:
                status, reply = queued
            else:
                status, reply = 201, {"id": str(uuid.uuid4()), "reference": body.get("reference")}
            payload = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):  # keep test output quiet
            pass

    return Handler


@pytest.fixture
def fake_notify(settings):
    """Notify configured for text messages and pointed at a fake of its API on a free local port."""
    fake = FakeNotify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = fake.url
    settings.NOTIFY_SMS_TEMPLATE_ID = SMS_TEMPLATE_ID
    settings.NOTIFY_EMAIL_TEMPLATE_ID = EMAIL_TEMPLATE_ID
    settings.SMS_BACKEND = "notify"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
