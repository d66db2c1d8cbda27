"""A mobile team generates its client from ``/api/schema/`` (openapi-python-client, as it
would for an app) and drives a job's whole life through the generated code alone: post,
pay at the sandbox gateway, grab from the board, deliver, accept. Typed requests, typed
responses, typed errors: what the schema says is what the API does."""

import importlib
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from django.utils import timezone

from tests import fixtures

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "marketplace_client"


@pytest.fixture
def client_package(eager_celery_live, tmp_path):
    """The client generated from the live server's schema, imported as ``marketplace_client``."""
    schema = httpx.get(f"{eager_celery_live.url}/api/schema/?format=json", timeout=30)
    assert schema.status_code == 200
    path = tmp_path / "schema.json"
    path.write_bytes(schema.content)
    bin_dir = Path(sys.executable).parent
    generated = subprocess.run(  # noqa: S603
        [str(bin_dir / "openapi-python-client"), "generate", "--path", str(path)]
        + ["--output-path", str(tmp_path / PACKAGE), "--meta", "none"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        cwd=tmp_path,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE), eager_celery_live.url
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _api(name: str):
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def _models():
    return importlib.import_module(f"{PACKAGE}.models")


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.parsed


def test_a_generated_client_drives_a_job_from_post_to_accepted(client_package):
    package, base_url = client_package
    models = _models()
    # given: an SME and a verified, online factory with the capability, each signed in
    # through the generated login (a typed token pair)
    sme_user, _sme = fixtures.sme()
    factory_user, _factory = fixtures.factory(lat=36.27, lng=120.03)  # verified and online
    anonymous = package.Client(base_url=base_url)
    login = _api("auth.auth_token")

    def signed_in(user):
        pair = _ok(
            login.sync_detailed(client=anonymous, body=models.TokenObtainRequest(user.username, "pw-Secret-123"))
        )
        assert isinstance(pair, models.TokenPair)
        return package.AuthenticatedClient(base_url=base_url, token=pair.access)

    sme_api, factory_api = signed_in(sme_user), signed_in(factory_user)
    # and a wrong password is a typed error with its own code, in Chinese when asked
    refused = login.sync_detailed(
        client=anonymous,
        body=models.TokenObtainRequest(sme_user.username, "wrong"),
        accept_language=models.Language.ZH_HANS,
    )
    assert refused.status_code == 401
    assert isinstance(refused.parsed, models.Error)
    assert refused.parsed.error.code == "invalid_credentials"
    assert refused.parsed.error.message == "用户名或密码错误，或账户已停用"

    # when: the SME posts 2,000 velcro closures due in four days (with an Idempotency-Key)
    deadline = timezone.localtime(timezone.now() + timedelta(days=4)).replace(microsecond=0)
    body = models.JobInputRequest.from_dict(
        {
            "process": "velcro_sewing",
            "quantity": 2000,
            "unit_price_fen": 15,
            "deadline": deadline.isoformat(),
            "spec": dict(fixtures.VELCRO_SPEC),
        }
    )
    job = _ok(_api("jobs.jobs_create").sync_detailed(client=sme_api, body=body, idempotency_key=str(uuid.uuid4())), 201)
    assert isinstance(job, models.Job)
    assert (job.status, job.payment.status, job.total_fen) == (
        models.JobStatusEnum.AWAITING_PAYMENT,
        "requires_payment",
        30000,
    )
    assert job.deadline == deadline  # a typed, zoned datetime
    # and pays at the sandbox gateway (its pay_url names the payment and the payer's token)
    payment_id, token = urlparse(job.payment.pay_url).path.strip("/").split("/")[-2:]
    paid = _ok(_api("sandbox.sandbox_pay").sync_detailed(int(payment_id), token, client=anonymous))
    assert paid.result == "paid"
    job = _ok(_api("jobs.jobs_retrieve").sync_detailed(job.id, client=sme_api))
    assert job.status == models.JobStatusEnum.OPEN

    # the factory finds it on its board and grabs it
    board = _ok(_api("board.board_list").sync_detailed(client=factory_api))
    assert [entry.id for entry in board.results] == [job.id]
    share = _ok(
        _api("board.board_accept").sync_detailed(job.id, client=factory_api, body=models.AcceptJobInputRequest()), 201
    )
    assert isinstance(share, models.Assignment)

    # material goes over, arrives, and the factory delivers
    steps = _api("assignments")
    _ok(
        importlib.import_module(f"{steps.__name__}.assignments_materials_sent").sync_detailed(
            share.id, client=sme_api, body=models.MaterialsSentInputRequest(note="2 cartons")
        )
    )
    _ok(
        importlib.import_module(f"{steps.__name__}.assignments_materials_received").sync_detailed(
            share.id, client=factory_api, body=models.MaterialsReceivedInputRequest(quantity_received=2000)
        )
    )
    delivered = _ok(
        importlib.import_module(f"{steps.__name__}.assignments_deliver").sync_detailed(
            share.id, client=factory_api, body=models.DeliverInputRequest(quantity_delivered=2000)
        )
    )
    assert delivered.status == models.AssignmentStatusEnum.DELIVERED

    # then: the SME accepts it all and rates the factory; the job is completed
    done = _ok(
        importlib.import_module(f"{steps.__name__}.assignments_accept").sync_detailed(
            share.id, client=sme_api, body=models.AcceptDeliveryInputRequest(quantity_accepted=2000, rating=5)
        )
    )
    assert (done.status, done.quantity_accepted) == (models.AssignmentStatusEnum.COMPLETED, 2000)
    job = _ok(_api("jobs.jobs_retrieve").sync_detailed(job.id, client=sme_api))
    assert job.status == models.JobStatusEnum.COMPLETED
    assert job.payment.status == "succeeded"
