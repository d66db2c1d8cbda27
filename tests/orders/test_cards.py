"""What a factory sees of a job is declared once (``orders.cards``): the HTTP serializers,
the SQL of a dispatch batch's offers, the events' payloads and the API's examples derive from
it, and no other module of the service defines the card's fields."""

import ast
from pathlib import Path

import jsonschema
import pytest

from core.events import event_type
from factories.selectors import factory_profile_get
from orders.api.serializers import BoardJobSerializer, OfferSerializer, board_rows_data
from orders.cards import BoardCard, JobCard, OfferCard
from orders.selectors import board_list_for_factory
from tests import fixtures

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "accounts", "catalogue", "realtime", "factories", "payments", "orders", "evidence", "marketplace"]
OWNER = ROOT / "orders" / "cards.py"
CARD = set(JobCard.json_schema()["properties"])
# The card's own mark: a definition of it names this field and at least five others.
MARK = "process_name_zh"


def _names_in(node) -> set[str]:
    """The card's field names a dict literal, a class body or a string (SQL) defines."""
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)} & CARD
    if isinstance(node, ast.ClassDef):
        names = set()
        for statement in node.body:
            targets = statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        return names & CARD
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {name for name in CARD if f"'{name}'" in node.value or f'"{name}"' in node.value}
    return set()


def _definitions(source: str) -> list[int]:
    return [
        node.lineno for node in ast.walk(ast.parse(source)) if MARK in (names := _names_in(node)) and len(names) >= 6
    ]


def test_no_module_but_the_cards_defines_the_job_card():
    # the detector finds each way the card used to be written out
    copies = [
        "class OfferJobSerializer:\n    id = 1\n    process = 2\n    process_name = 3\n    process_name_zh = 4\n"
        "    spec = 5\n    quantity = 6\n",
        'x = {"id": 1, "process": 2, "process_name": 3, "process_name_zh": 4, "spec": 5, "deadline": 6}',
        "SQL = \"jsonb_build_object('id', j.id, 'process', p.code, 'process_name', p.name, 'process_name_zh', "
        "p.name_zh, 'spec', j.spec, 'lat', j.lat)\"",
    ]
    assert all(_definitions(copy) for copy in copies)
    # and finds it in its owner
    assert _definitions(OWNER.read_text())
    # but in no other module of the service
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if path != OWNER and "migrations" not in path.parts
        for line in _definitions(path.read_text())
    ]
    assert offenders == []


def test_http_events_and_schema_take_the_cards_fields():
    # the HTTP serializers are the cards' (the offer adds when it was made)
    assert list(BoardJobSerializer().fields) == list(BoardCard.json_schema()["properties"])
    assert list(OfferSerializer().fields) == [*OfferCard.json_schema()["properties"], "created_at"]
    assert list(OfferSerializer().fields["job"].fields) == list(JobCard.json_schema()["properties"])
    # the events' payloads are the cards'
    assert event_type("offer.created").payload_schema()["properties"] == OfferCard.json_schema()["properties"]
    assert (
        event_type("board.job_added").payload_schema()["properties"]["job"]["properties"]
        == (JobCard.json_schema()["properties"])
    )
    # and each card's example is what its schema says
    for card in (JobCard, OfferCard, BoardCard):
        jsonschema.validate(card.example, card.json_schema())


@pytest.mark.django_db
def test_a_job_reads_the_same_on_the_board_over_http_as_its_card(auth):
    # given a job on a factory's board
    user, company = fixtures.factory(lat=36.264, lng=120.033, radius_km=30)
    job = fixtures.job(fixtures.sme(), lat=36.282, lng=120.033, allow_split=True, quantity=3000)
    # when the factory reads its board over HTTP
    response = auth(user).get("/api/v1/board")
    assert response.status_code == 200
    [entry] = response.json()["results"]
    # then the entry is the job's card and the factory's share of it
    card = JobCard.of(job)
    assert {name: entry[name] for name in card} == card
    assert entry["deadline"].endswith("+08:00") and entry["process_name_zh"] == job.process.name_zh
    assert 0 < entry["min_share"] <= entry["max_share"] <= 3000
    # and the page without the serializer is the serializer's, key for key
    rows = board_list_for_factory(profile=factory_profile_get(company=company))[0:50]
    assert board_rows_data(rows) == BoardJobSerializer(rows, many=True).data == response.json()["results"]
