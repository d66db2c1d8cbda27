"""GET /api/v1/processes/{code}: one process of the catalogue with the JSON Schema a job's
spec must meet, the operation a job's `spec` links to in the OpenAPI schema."""

import jsonschema
import pytest

from catalogue.models import Process
from conftest import client_for
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_a_process_is_read_by_its_code_with_its_spec_schema():
    # given a signed-in SME and the seeded catalogue
    user, _ = fixtures.sme()
    velcro = Process.objects.get(code="velcro_sewing")
    # when it reads the process
    response = client_for(user).get("/api/v1/processes/velcro_sewing")
    # then it is the list's entry for it, its spec_schema the one jobs are checked against
    assert response.status_code == 200
    body = response.json()
    listed = {p["code"]: p for p in client_for(user).get("/api/v1/processes").json()["results"]}
    assert body == listed["velcro_sewing"]
    assert body["spec_schema"] == velcro.spec_schema
    jsonschema.Draft202012Validator(body["spec_schema"]).validate(fixtures.VELCRO_SPEC)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(body["spec_schema"]).validate({**fixtures.VELCRO_SPEC, "stitch": "overlock"})


def test_an_unknown_or_retired_process_is_a_404_and_anonymous_is_a_401():
    user, _ = fixtures.factory()
    Process.objects.filter(code="packing").update(active=False)
    for code in ("nope", "packing"):
        response = client_for(user).get(f"/api/v1/processes/{code}")
        assert response.status_code == 404, code
        assert response.json()["error"]["code"] == "not_found"
    assert client_for(None).get("/api/v1/processes/velcro_sewing").status_code == 401
