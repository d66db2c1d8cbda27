# The process catalogue moves from the orders app to catalogue: state only, the table keeps
# its name (db_table) and its seeded rows (orders 0002).

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("orders", "0005_offer_planned_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Process",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(max_length=64, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        ("name_zh", models.CharField(max_length=120, verbose_name="Chinese name")),
                        ("unit", models.CharField(default="piece", max_length=16, verbose_name="unit")),
                        ("spec_schema", models.JSONField(default=dict, verbose_name="spec schema")),
                        ("reference_unit_price_fen", models.PositiveBigIntegerField(verbose_name="reference unit price (fen)")),
                        ("material_tolerance_bps", models.PositiveIntegerField(default=200, verbose_name="material tolerance (bp)")),
                        ("active", models.BooleanField(default=True)),
                    ],
                    options={
                        "db_table": "orders_process",
                        "verbose_name": "process",
                        "verbose_name_plural": "processes",
                        "ordering": ["code"],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("reference_unit_price_fen__gt", 0)), name="process_price_positive"),
                            models.CheckConstraint(condition=models.Q(("material_tolerance_bps__lte", 5000)), name="process_tolerance_max"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
