"""A job's trail is its history (JobHistory), not an event of the stream.

State only: the table keeps the name it was created with (``db_table``), so nothing in the
database changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0016_inspections"), ("core", "0007_stream_event_named_apart")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameModel(old_name="JobEvent", new_name="JobHistory"),
                migrations.AlterModelTable(name="jobhistory", table="orders_jobevent"),
            ],
            database_operations=[],
        ),
    ]
