from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from payments import (
            checks,  # noqa: F401 - registers the start-up checks
            tasks,  # noqa: F401 - fills the task slots the services send through (payments.work)
        )
