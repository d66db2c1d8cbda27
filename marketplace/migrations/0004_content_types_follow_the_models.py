# Companies, memberships and notifications moved to accounts, idempotency records to core and
# processes to catalogue (state only, migration 0003 and the apps' 0001). Their content types
# follow them here, so the permissions granted on them and the admin's history of them stay
# attached (a staff user who could change companies still can). Runs before post_migrate
# would create fresh content types; where those exist already, nothing is renamed.

from django.db import migrations

MOVES = [
    ("marketplace", "company", "accounts"),
    ("marketplace", "membership", "accounts"),
    ("marketplace", "notification", "accounts"),
    ("marketplace", "idempotencyrecord", "core"),
    ("orders", "process", "catalogue"),
]


def follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, model, new_app in MOVES:
        if not ContentType.objects.filter(app_label=new_app, model=model).exists():
            ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)


def back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, model, new_app in MOVES:
        if not ContentType.objects.filter(app_label=old_app, model=model).exists():
            ContentType.objects.filter(app_label=new_app, model=model).update(app_label=old_app)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("marketplace", "0003_tables_move_to_accounts_and_core"),
    ]

    operations = [migrations.RunPython(follow, back)]
