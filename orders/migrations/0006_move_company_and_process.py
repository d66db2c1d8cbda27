# Companies now live in accounts and processes in catalogue (same tables): repoint the
# foreign keys and drop Process from this app's state; nothing changes in the database.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0005_offer_planned_at"),
        ("accounts", "0001_initial"),
        ("catalogue", "0001_initial"),
        ("factories", "0002_move_company_and_process"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="job",
                    name="process",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="jobs", to="catalogue.process"),
                ),
                migrations.AlterField(
                    model_name="job",
                    name="sme",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="jobs", to="accounts.company"),
                ),
                migrations.AlterField(
                    model_name="assignment",
                    name="factory",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="assignments", to="accounts.company"),
                ),
                migrations.AlterField(
                    model_name="offer",
                    name="factory",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="offers", to="accounts.company"),
                ),
                migrations.DeleteModel(name="Process"),
            ],
            database_operations=[],
        ),
    ]
