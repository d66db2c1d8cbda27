"""Every admin list and detail page, on a database with a day's records, reads in Chinese:
no state, step or ledger code, no gateway or actor code, no ``*_fen``, ``*_id`` or ``*_km``
key is shown to a person (codes in links, filters' query strings and form values sent back are fine)."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.utils import timezone

from factories.models import FactoryProfile
from orders import services
from payments import chart
from payments.models import LedgerAccount, SettlementBatch
from payments.services import settlement
from tests import fixtures

pytestmark = pytest.mark.django_db

# Ledger account codes (``gateway_clearing``, ``escrow:job:7``) are the chart of accounts'
# names, shown as identifiers beside their kind's label; they are not states.
IDENTIFIERS = set(LedgerAccount.Kind.values)
# The codes a person must never read: every choice code of our models with an underscore,
# the ledger's transaction kinds, and the platform's own words for its gateway and itself.
CODES = (
    {
        value
        for model in (m for m in admin.site._registry)
        for field in model._meta.fields
        if isinstance(field, models.CharField) and field.choices
        for value, _label in field.choices
        if "_" in str(value)
    }
    | {value for value in chart.TxKind.values if "_" in value}
    | {"payout_sent", "payout_paid", "refund_owed", "sandbox", "system"}
) - IDENTIFIERS
RAW = re.compile(r"\b(" + "|".join(sorted(map(re.escape, CODES))) + r"|[a-z]+_(?:fen|id|km))\b(?! gateway operation)")
# The outbox's rows hold the event stream's messages as sent to the apps (API.md: in fen):
# their list is read, their raw messages are not.
WIRE = {"core.streamevent"}


class VisibleText(HTMLParser):
    """The text a person sees: text nodes outside scripts and styles, and the values shown
    in text inputs and buttons (hidden inputs and option values are not shown)."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type", "text") not in ("hidden", "checkbox", "radio"):
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def _a_day():
    """Jobs in most states, payments with refunds, a disputed job, batches paid and rejected,
    a factory the platform switched offline, dispatch offers."""
    fixtures.world_for_battery()
    owner = fixtures.sme()
    pair = fixtures.factory()
    fixtures.completed_assignment(pair, quantity=1000, accepted=850)  # a refund for 150 pieces
    disputed = fixtures.job(owner, quantity=500)
    fixtures.delivered_share(disputed, owner, pair, 500)
    services.job_dispute(job_id=disputed.id, sme=owner[1], user=owner[0], reason="线头没剪")
    cancelled = fixtures.job(owner)
    services.job_cancel(job_id=cancelled.id, sme=owner[1], user=owner[0], reason="改期")
    fixtures.job(owner, paid=False)
    batches = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))
    paid, rejected = batches[0], batches[-1]
    checker = fixtures.admin_user()
    settlement.settlement_approve(batch_id=paid.id, admin=checker)
    settlement.settlement_payout(batch_id=paid.id)
    for line in paid.lines.all():
        settlement.payout_transfer_changed(key=line.payout_key, state="paid", reference="r")
    if rejected.id != paid.id:
        settlement.settlement_reject(batch_id=rejected.id, admin=checker, reason="件数不符")
    FactoryProfile.objects.filter(company=pair[1]).update(
        online=False, offline_reason="3 dispatch offers expired in a row"
    )


def test_every_admin_list_and_page_reads_without_raw_codes_in_chinese():
    # given: a day's records and an operator reading Chinese
    _a_day()
    assert SettlementBatch.objects.filter(status="paid").exists()
    operator = fixtures.admin_user()
    operator.is_superuser = True
    operator.save()
    browser = Client()
    browser.force_login(operator)
    found = {}
    # when: every registered model's list and the detail page of its newest rows are read
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages = [base]
        if model._meta.label_lower not in WIRE:
            pages += [f"{base}{pk}/change/" for pk in model_admin.get_queryset(None).values_list("pk", flat=True)[:3]]
        for url in pages:
            response = browser.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            assert response.status_code == 200, url
            raw = sorted(set(RAW.findall(visible(response.content.decode()))))
            if raw:
                found[url] = raw
    # then
    assert found == {}, "\n".join(f"{url}: {raw}" for url, raw in found.items())
