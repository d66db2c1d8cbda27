"""The outbox is named for what it is, the companies' stream of events: StreamEvent.

State only: the table keeps the name it was created with (``db_table``), so nothing in the
database changes."""

from django.db import migrations


class Migration(migrations.Migration):
    # After every migration that names the model by its old name (realtime's push messages
    # point at it), so a new database is built in an order where each name resolves.
    dependencies = [("core", "0006_event_numbered_per_company"), ("realtime", "0004_device_credentials")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameModel(old_name="Event", new_name="StreamEvent"),
                migrations.AlterModelTable(name="streamevent", table="core_event"),
            ],
            database_operations=[],
        ),
    ]
