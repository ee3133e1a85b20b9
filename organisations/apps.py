from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "Directory"

    def ready(self) -> None:
        from partnership.notifications import registry

        from .notifications import ServiceInboxRecipients

        registry.register_recipients(ServiceInboxRecipients())
