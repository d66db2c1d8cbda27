import pytest
from django.core.management import CommandError, call_command

from payments.models import LedgerAccount
from tests import fixtures

pytestmark = pytest.mark.django_db


def test_check_ledger_passes_on_a_sound_ledger(capsys):
    fixtures.job(quantity=1000, unit_price_fen=15)
    call_command("check_ledger")
    out = capsys.readouterr().out
    assert "ledger OK" in out
    assert "2 accounts, 1 transactions checked" in out


def test_check_ledger_fails_and_names_the_culprit(capsys):
    job = fixtures.job(quantity=1000, unit_price_fen=15)
    LedgerAccount.objects.filter(code=f"escrow:job:{job.id}").update(balance_fen=14000)
    with pytest.raises(CommandError):
        call_command("check_ledger")
    assert f"escrow:job:{job.id}" in capsys.readouterr().err
