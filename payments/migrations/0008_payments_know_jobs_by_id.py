# Payments knows jobs only by id: Payment.job and SettlementLine.assignment, foreign keys
# into orders, become the plain ids they always stored. Same columns, same values; only the
# foreign-key constraints go (and the partial unique index on an active line is rebuilt).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0007_payment_events"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="job",
            field=models.PositiveBigIntegerField(db_column="job_id", unique=True, verbose_name="job"),
        ),
        migrations.RenameField(model_name="payment", old_name="job", new_name="job_id"),
        migrations.AlterField(
            model_name="payment",
            name="job_id",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="job"),
        ),
        migrations.RemoveConstraint(model_name="settlementline", name="settlement_line_once"),
        migrations.AlterField(
            model_name="settlementline",
            name="assignment",
            field=models.PositiveBigIntegerField(db_column="assignment_id", db_index=True, verbose_name="assignment"),
        ),
        migrations.RenameField(model_name="settlementline", old_name="assignment", new_name="assignment_id"),
        migrations.AlterField(
            model_name="settlementline",
            name="assignment_id",
            field=models.PositiveBigIntegerField(db_index=True, verbose_name="assignment"),
        ),
        migrations.AddConstraint(
            model_name="settlementline",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True)), fields=("assignment_id",), name="settlement_line_once"
            ),
        ),
    ]
