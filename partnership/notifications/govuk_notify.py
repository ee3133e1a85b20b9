"""GOV.UK Notify, through its official client: text messages, and email when NOTIFY_EMAIL is on.

Notify's answers are sorted into what delivery does next: a 5xx, a timeout or a rate limit (429
RateLimitError) is worth retrying soon; the daily limit (429 TooManyRequestsError) waits for tomorrow;
anything else (400 bad request or validation, 403 auth) will fail again and goes to the managers.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient


class NotifyTransient(Exception):
    pass


class NotifyPermanent(Exception):
    pass


class NotifyDailyLimit(Exception):
    def __init__(self, message: str, until: datetime):
        super().__init__(message)
        self.until = until


def template_id(template: str, channel: str) -> str:
    general = settings.NOTIFY_SMS_TEMPLATE_ID if channel == "sms" else settings.NOTIFY_EMAIL_TEMPLATE_ID
    found = settings.NOTIFY_TEMPLATE_IDS.get(template) or general
    if not found:
        raise NotifyPermanent(f"No GOV.UK Notify {channel} template for {template}: set NOTIFY_TEMPLATE_IDS "
                              f"or NOTIFY_{channel.upper()}_TEMPLATE_ID")
    return found


def send(*, channel: str, to: str, template: str, personalisation: dict, reference: str) -> str:
    """Send one message; returns Notify's id for it."""
    client = NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL,
                                    timeout=settings.NOTIFY_TIMEOUT_SECONDS)
    try:
        if channel == "sms":
            response = client.send_sms_notification(
                phone_number=to, template_id=template_id(template, "sms"),
                personalisation=personalisation, reference=reference,
            )
        else:
            response = client.send_email_notification(
                email_address=to, template_id=template_id(template, "email"),
                personalisation=personalisation, reference=reference,
            )
    except APIError as error:
        raise _classified(error) from error
    return str(response.get("id", ""))


def _classified(error: APIError) -> Exception:
    code = error.status_code
    errors = error.message if isinstance(error.message, list) else []
    kinds = {entry.get("error") for entry in errors if isinstance(entry, dict)}
    # Notify's messages name the problem, not the recipient; keep them short all the same.
    detail = "; ".join(str(entry.get("message", "")) for entry in errors if isinstance(entry, dict))
    described = f"GOV.UK Notify {code} {', '.join(sorted(k for k in kinds if k))}: {detail or error.message}"[:300]
    if code == 429 and "TooManyRequestsError" in kinds:
        return NotifyDailyLimit(described, until=_tomorrow())
    if code == 429 or code >= 500:
        return NotifyTransient(described)
    return NotifyPermanent(described)


def _tomorrow() -> datetime:
    """Notify's daily limits reset at midnight, UK time; start again a few minutes after."""
    today = timezone.localdate()
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), time(0, 10)))
