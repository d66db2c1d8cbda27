# Companies now live in accounts and processes in catalogue (same tables): repoint the
# foreign keys in the migration state only; the database constraints already point there.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("factories", "0001_initial"),
        ("accounts", "0001_initial"),
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="factoryprofile",
                    name="company",
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="factory_profile", serialize=False, to="accounts.company"),
                ),
                migrations.AlterField(
                    model_name="capability",
                    name="process",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="capabilities", to="catalogue.process"),
                ),
            ],
            database_operations=[],
        ),
    ]
