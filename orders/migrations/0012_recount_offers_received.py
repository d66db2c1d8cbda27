"""Recount each factory's offers received from its offers.

Until now a dispatch batch added one to a factory's count however many offers it made it,
so a factory given three jobs in a batch showed one offer received and, once it accepted
them, an acceptance rate of 300%. Offers are never deleted, so their count is the truth.
"""

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def recount(apps, schema_editor):
    FactoryProfile = apps.get_model("factories", "FactoryProfile")
    Offer = apps.get_model("orders", "Offer")
    received = (
        Offer.objects.filter(factory_id=OuterRef("company_id"))
        .order_by()
        .values("factory_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    FactoryProfile.objects.update(offers_received=Coalesce(Subquery(received), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0011_dispatchbatch_shards"),
        ("factories", "0003_verbose_names"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop, elidable=True)]
