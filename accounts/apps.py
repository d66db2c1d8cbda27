from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Participants")

    def ready(self):
        # Here, not at the top: Django loads models only after every AppConfig is built.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from accounts.services import identity_sync

        def _sync(sender, instance, raw=False, **kwargs):
            if not raw:
                identity_sync(user=instance)

        # Every user row, however it was made, claims its canonical username (accounts.identity).
        post_save.connect(_sync, sender=get_user_model(), dispatch_uid="accounts.identity_sync", weak=False)
