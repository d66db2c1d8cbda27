"""The payment and settlement trails are history; what the gateway sent us is a gateway message.

State only: the table keeps the name it was created with (``db_table``), so nothing in the
database changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("payments", "0012_audit_status_32"), ("core", "0007_stream_event_named_apart")]

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
    ]
