from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence")

    def ready(self):
        # The seams through which orders reaches photos without importing evidence
        # (docs/architecture.md): an inspection names only the SME's own inspection photos,
        # and the admin's desk shows a job's photos beside its inspections.
        from evidence import selectors
        from orders import seams as order_seams

        order_seams.photos_owned.register(selectors.photos_owned)
        order_seams.job_photos.register(selectors.job_photos)
