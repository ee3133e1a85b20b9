from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "partnership.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The outbox queues rows to the worker's tasks by name (outbox.py), so they are registered with
        # Celery in every process, not only where the worker's autodiscovery finds them.
        from . import digest, registry, tasks  # noqa: F401

        registry.register_events(digest.DigestEvents())
