"""The core's notifications are tested with the messages the referral hub sends: its small directory and a
prescription sent as a GP would (tests/referrals/conftest.py)."""

from tests.referrals.conftest import directory, send, sent_prescription, write_prescription  # noqa: F401
