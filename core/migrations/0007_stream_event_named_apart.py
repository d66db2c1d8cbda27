"""The outbox is named for what it is, the companies' stream of events: StreamEvent.

State only: the table keeps the name it was created with (``db_table``), so no table
changes; the content type follows the model (Django does that for a plain RenameModel, not
for one inside SeparateDatabaseAndState), so permissions granted on it and the admin's
history keep pointing at it."""

from django.db import migrations

RENAMED = [('event', 'streamevent')]


def _rename(apps, pairs):
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    for old, new in pairs:
        if content_type.objects.filter(app_label="core", model=new).exists():
            continue
        for row in content_type.objects.filter(app_label="core", model=old):
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
    # After every migration that names the model by its old name (realtime's push messages
    # point at it), so a new database is built in an order where each name resolves.
    dependencies = [("core", "0006_event_numbered_per_company"), ("realtime", "0004_device_credentials"), ("contenttypes", "0002_remove_content_type_name"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameModel(old_name="Event", new_name="StreamEvent"),
                migrations.AlterModelTable(name="streamevent", table="core_event"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
