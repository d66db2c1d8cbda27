"""The models renamed apart (the outbox StreamEvent, the trails *History, the gateway's
GatewayMessage) keep their tables, and their content types follow them, so a permission an
operator's group was granted before the rename still grants the same thing after it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("core", "0006_event_numbered_per_company"),
    ("orders", "0016_inspections"),
    ("payments", "0012_audit_status_32"),
    ("realtime", "0004_device_credentials"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_a_permission_granted_before_the_rename_grants_the_renamed_model():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    tables = set(connection.introspection.table_names())
    try:
        # given: the database as it was before the rename, a group granted the old names
        _migrate(BEFORE)
        old = ContentType.objects.get(app_label="orders", model="jobevent")
        desk = Group.objects.create(name="desk")
        desk.permissions.add(
            Permission.objects.get(content_type=old, codename="view_jobevent"),
            Permission.objects.get(content_type__app_label="payments", codename="change_webhookevent"),
        )
        # when: the rename is applied
        _migrate(leaves)
        # then: the same content type, now the new model's, with the group's grants renamed
        assert ContentType.objects.get(id=old.id).model == "jobhistory"
        assert not ContentType.objects.filter(model__in=["jobevent", "webhookevent", "paymentevent"]).exists()
        assert sorted(desk.permissions.values_list("codename", flat=True)) == [
            "change_gatewaymessage",
            "view_jobhistory",
        ]
        # and no table was renamed
        assert set(connection.introspection.table_names()) == tables
        assert {"core_event", "orders_jobevent", "payments_webhookevent"} <= tables
    finally:
        _migrate(leaves)
