from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("Real-time")

    def ready(self):
        # Here, not at the top: Django loads models only after every AppConfig is built.
        from core.outbox import events_sequenced
        from realtime.fanout import events_announce

        # Numbered events go out to the web processes' sockets and, for offline phones, as pushes.
        events_sequenced.register(events_announce)
