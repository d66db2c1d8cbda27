# The project app owns no table any more: companies, memberships and notifications belong
# to accounts, idempotency records to core (their migrations 0001 took the same tables over).
# State only: nothing is dropped.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0002_notification"),
        ("accounts", "0001_initial"),
        ("core", "0001_initial"),
        ("factories", "0002_move_company_and_process"),
        ("orders", "0006_move_company_and_process"),
        ("payments", "0006_move_company"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="Membership"),
                migrations.DeleteModel(name="Company"),
                migrations.DeleteModel(name="IdempotencyRecord"),
            ],
            database_operations=[],
        ),
    ]
