# Companies now live in accounts (same table): repoint the foreign keys in the migration
# state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0005_settlementbatch_payout_sends"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="payment",
                    name="sme",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="payments", to="accounts.company"),
                ),
                migrations.AlterField(
                    model_name="settlementbatch",
                    name="factory",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="settlements", to="accounts.company", verbose_name="factory"),
                ),
            ],
            database_operations=[],
        ),
    ]
