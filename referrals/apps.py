from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        # The core lists, describes and delivers the referral hub's messages through what it registers here.
        from partnership.notifications import registry

        from .messages import CarerRecipients, ReferralEvents

        registry.register_events(ReferralEvents())
        registry.register_recipients(CarerRecipients())
