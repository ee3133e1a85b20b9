"""Settings for a worker process in the fault-injection tests: the project's own, driven by the same
environment, with email through tests.referrals.blocking_email (EMAIL_URL=filemail://... names its folder)."""

from partnership.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.referrals.blocking_email.EmailBackend"
