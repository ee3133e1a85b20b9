"""Settings for a worker process in the fault-injection tests: the project's own, driven by the same
environment, with email through tests.partnership.notifications.blocking_email (EMAIL_URL=filemail://...
names its folder)."""

from partnership.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.partnership.notifications.blocking_email.EmailBackend"
