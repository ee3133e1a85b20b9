"""An email backend for a worker process in the fault-injection tests.

It is Django's file backend (EMAIL_URL=filemail:////some/folder), so the test process can count what
every worker process delivered; but while the file named by BLOCKING_EMAIL_FLAG exists, a send waits
before it writes anything, leaving a 'blocked-<pid>' file beside the flag, so a test can kill the worker
in the middle of a send. Selected by DJANGO_SETTINGS_MODULE=tests.partnership.notifications.blocking_worker_settings.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        flag = Path(os.environ["BLOCKING_EMAIL_FLAG"])
        if flag.exists():
            (flag.parent / f"blocked-{os.getpid()}").touch()
            while flag.exists():
                time.sleep(0.05)
        return super().send_messages(email_messages)


def delivered(folder: Path) -> list[str]:
    """The 'To' address of every message the file backend wrote into the folder, one per message."""
    addresses = []
    for path in sorted(folder.glob("*.log")):
        for line in path.read_text().splitlines():
            if line.startswith("To: "):
                addresses.append(line.removeprefix("To: ").strip())
    return addresses
