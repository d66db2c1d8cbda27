"""The payment and settlement trails are history; what the gateway sent us is a gateway message.

State only: the table keeps the name it was created with (``db_table``), so no table
changes; the content type follows the model (Django does that for a plain RenameModel, not
for one inside SeparateDatabaseAndState), so permissions granted on it and the admin's
history keep pointing at it."""

from django.db import migrations

RENAMED = [('paymentevent', 'paymenthistory'), ('settlementevent', 'settlementhistory'), ('webhookevent', 'gatewaymessage')]


def _rename(apps, pairs):
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    for old, new in pairs:
        if content_type.objects.filter(app_label="payments", model=new).exists():
            continue
        for row in content_type.objects.filter(app_label="payments", model=old):
            row.model = new
            row.save(update_fields=["model"])
            for granted in permission.objects.filter(content_type=row, codename__endswith=f"_{old}"):
                granted.codename = granted.codename.removesuffix(old) + new
                granted.save(update_fields=["codename"])


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)


def backwards(apps, schema_editor):
    _rename(apps, [(new, old) for old, new in RENAMED])


class Migration(migrations.Migration):
    dependencies = [("payments", "0012_audit_status_32"), ("core", "0007_stream_event_named_apart"), ("contenttypes", "0002_remove_content_type_name"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameModel(old_name="PaymentEvent", new_name="PaymentHistory"),
                migrations.AlterModelTable(name="paymenthistory", table="payments_paymentevent"),
                migrations.RenameModel(old_name="SettlementEvent", new_name="SettlementHistory"),
                migrations.AlterModelTable(name="settlementhistory", table="payments_settlementevent"),
                migrations.RenameModel(old_name="WebhookEvent", new_name="GatewayMessage"),
                migrations.AlterModelTable(name="gatewaymessage", table="payments_webhookevent"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
