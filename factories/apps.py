from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactoriesConfig(AppConfig):
    name = "factories"
    verbose_name = _("Factories")

    def ready(self):
        # Here, not at the top: Django loads models only after every AppConfig is built.
        from accounts.seams import company_registered
        from factories.services import factory_profile_create

        # Every factory company gets its profile in the registration transaction.
        company_registered.register(factory_profile_create)
