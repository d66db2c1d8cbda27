from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        # The seams through which payments and factories reach orders without importing it
        # (docs/architecture.md): a captured payment opens its job, the ledger check asks
        # which jobs are finished, a factory that goes offline has its offers taken back.
        from factories.seams import factory_changed, factory_unavailable
        from orders import selectors
        from orders.services import job_payment_captured, offers_withdraw_for_factory
        from orders.services.board import board_factory_rebuild
        from payments import seams as payment_seams

        payment_seams.job_payment_captured.register(job_payment_captured)
        payment_seams.finished_job_ids.register(selectors.finished_job_ids)
        factory_unavailable.register(offers_withdraw_for_factory)
        factory_changed.register(board_factory_rebuild)
        payment_seams.assignments_described.register(selectors.assignments_described)
