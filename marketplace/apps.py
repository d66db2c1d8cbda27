from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    """The project itself: settings, urls, the Celery app and whole-system tools
    (``seed_demo``, ``simulate``). It owns no table; its early migrations created the
    participants' tables, which ``accounts`` and ``core`` took over (migration 0003)."""

    name = "marketplace"
    verbose_name = _("Platform")

    def ready(self):
        # Apps of ours have Chinese names; give the two third-party apps in the admin's menu one too.
        from django.apps import apps

        apps.get_app_config("axes").verbose_name = _("Login lockout")
        apps.get_app_config("token_blacklist").verbose_name = _("Token Blacklist")
