"""Each process's inspection standard in the catalogue: seeded checklists, read from the API
with a preview of a lot's sampling plan, edited in the admin."""

import pytest

from catalogue.models import InspectionItem, Process
from conftest import client_for
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_every_seeded_process_has_a_checklist_and_velcro_has_the_issues_items():
    # given the seeded catalogue / then each process has items, velcro the ones named
    for process in Process.objects.all():
        assert process.inspection_items.exists(), process.code
    velcro = set(InspectionItem.objects.filter(process__code="velcro_sewing").values_list("code", "defect_class"))
    assert {
        ("position", "major"),
        ("stitch_density", "major"),
        ("stitch_pattern", "major"),
        ("colour_match", "major"),
        ("loose_threads", "minor"),
        ("broken_needle", "critical"),
    } == velcro


def test_the_inspection_standard_is_read_from_the_api_with_a_lot_plan():
    user, _ = fixtures.factory()
    # when
    response = client_for(user).get("/api/v1/processes/velcro_sewing/inspection?lot_size=500")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["process"], body["level"], body["aql"]) == (
        "velcro_sewing",
        "II",
        {"critical": "0.65", "major": "2.5", "minor": "4.0"},
    )
    assert [item["code"] for item in body["items"]][:2] == ["position", "stitch_density"]
    assert body["items"][0]["name_zh"] == "魔术贴位置"
    plan = body["plan"]
    assert (plan["code_letter"], plan["severity"], plan["sample_size"]) == ("H", "normal", 80)
    assert plan["classes"]["major"] == {"aql": "2.5", "plan_letter": "H", "sample_size": 50, "ac": 3, "re": 4}
    # H/0.65 is a downward arrow: J's plan, 80 pieces, 1/2
    assert plan["classes"]["critical"] == {"aql": "0.65", "plan_letter": "J", "sample_size": 80, "ac": 1, "re": 2}
    tightened = client_for(user).get("/api/v1/processes/velcro_sewing/inspection?lot_size=500&severity=tightened")
    assert tightened.json()["plan"]["classes"]["major"] == {
        "aql": "2.5",
        "plan_letter": "H",
        "sample_size": 50,
        "ac": 2,
        "re": 3,
    }
    assert client_for(user).get("/api/v1/processes/velcro_sewing/inspection").json()["plan"] is None


@pytest.mark.parametrize("query", ["lot_size=1", "lot_size=abc", "lot_size=500&severity=skip", "lot_size=99999999999"])
def test_a_bad_lot_size_or_severity_is_a_400(query):
    user, _ = fixtures.factory()
    response = client_for(user).get(f"/api/v1/processes/velcro_sewing/inspection?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]


def test_an_unknown_process_is_a_404_and_anonymous_is_a_401():
    user, _ = fixtures.factory()
    assert client_for(user).get("/api/v1/processes/nope/inspection").status_code == 404
    assert client_for(None).get("/api/v1/processes/velcro_sewing/inspection").status_code == 401


def test_admins_edit_a_checklist_and_the_aqls_in_the_admin(client):
    # given an admin / when the process page is saved with a new item and a new major AQL
    admin = fixtures.admin_user()
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    process = Process.objects.get(code="packing")
    items = list(process.inspection_items.all())
    page = client.get(f"/admin/catalogue/process/{process.id}/change/")
    assert page.status_code == 200
    assert "inspection_items-TOTAL_FORMS" in page.content.decode()
    data = {
        "code": process.code,
        "name": process.name,
        "name_zh": process.name_zh,
        "unit": process.unit,
        "spec_schema": '{"type": "object"}',
        "reference_unit_price_fen": 4,
        "material_tolerance_bps": process.material_tolerance_bps,
        "active": "on",
        "inspection_level": "III",
        "aql_critical": "0.10",
        "aql_major": "1.5",
        "aql_minor": "4.0",
        "inspection_items-TOTAL_FORMS": len(items) + 1,
        "inspection_items-INITIAL_FORMS": len(items),
        "inspection_items-MIN_NUM_FORMS": 0,
        "inspection_items-MAX_NUM_FORMS": 1000,
    }
    for index, item in enumerate(items):
        for field in ("position", "code", "name", "name_zh", "criterion", "criterion_zh", "defect_class"):
            data[f"inspection_items-{index}-{field}"] = getattr(item, field)
        data[f"inspection_items-{index}-id"] = item.id
        data[f"inspection_items-{index}-process"] = process.id
    new = len(items)
    data.update(
        {
            f"inspection_items-{new}-position": 9,
            f"inspection_items-{new}-code": "seal",
            f"inspection_items-{new}-name": "Bag sealed",
            f"inspection_items-{new}-name_zh": "封口",
            f"inspection_items-{new}-defect_class": "major",
            f"inspection_items-{new}-process": process.id,
        }
    )
    response = client.post(f"/admin/catalogue/process/{process.id}/change/", data)
    # then
    assert response.status_code == 302
    process.refresh_from_db()
    assert (process.inspection_level, process.aql_major) == ("III", "1.5")
    assert process.inspection_items.filter(code="seal", defect_class="major").exists()
