# Companies, memberships and notifications move from the marketplace app to accounts: state
# only, the tables keep their names (db_table), so no data moves.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("marketplace", "0002_notification"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Company",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        ("kind", models.CharField(choices=[("sme", "SME"), ("factory", "Factory")], max_length=16, verbose_name="kind")),
                        ("lat", models.FloatField(blank=True, null=True, verbose_name="latitude")),
                        ("lng", models.FloatField(blank=True, null=True, verbose_name="longitude")),
                        ("address", models.CharField(blank=True, default="", max_length=300, verbose_name="address")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "marketplace_company",
                        "verbose_name": "company",
                        "verbose_name_plural": "companies",
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("kind__in", ["sme", "factory"])), name="company_kind_valid"),
                            models.CheckConstraint(condition=models.Q(("lat__isnull", True), models.Q(("lat__gte", -90), ("lat__lte", 90)), _connector="OR"), name="company_lat_range"),
                            models.CheckConstraint(condition=models.Q(("lng__isnull", True), models.Q(("lng__gte", -180), ("lng__lte", 180)), _connector="OR"), name="company_lng_range"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=[("owner", "Owner"), ("staff", "Staff")], default="owner", max_length=16)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("company", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="accounts.company")),
                        ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="membership", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "marketplace_membership",
                        "verbose_name": "membership",
                        "verbose_name_plural": "memberships",
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=40)),
                        ("message", models.CharField(max_length=500)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        ("company", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to="accounts.company")),
                    ],
                    options={
                        "db_table": "marketplace_notification",
                        "verbose_name": "notification",
                        "verbose_name_plural": "notifications",
                        "ordering": ["-id"],
                        "indexes": [models.Index(fields=["company", "-id"], name="marketplace_company_dfee97_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
