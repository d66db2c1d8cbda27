"""Notifications become events of type ``notification`` in the company's stream (the outbox,
``core.Event``): one mechanism, not two. Existing rows are copied over with their time;
the outbox's sweep numbers them. Going back recreates the table empty."""

from django.db import migrations


def copy_to_events(apps, schema_editor):
    Notification = apps.get_model("accounts", "Notification")
    Event = apps.get_model("core", "Event")
    for note in Notification.objects.order_by("id").iterator():
        event = Event.objects.create(
            company_id=note.company_id,
            type="notification",
            data={"kind": note.kind, "message": note.message, "data": note.data},
        )
        Event.objects.filter(id=event.id).update(created_at=note.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_identity"),
        ("core", "0002_event"),
    ]

    operations = [
        migrations.RunPython(copy_to_events, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
