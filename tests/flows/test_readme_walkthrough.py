"""The README's walkthrough, run as written: its ```sh blocks under "Try it", against a live
server with a real worker, from demo data to a paid-out factory. A README change that breaks
the journey fails here."""

import re
import subprocess
import sys

import pytest
from django.core.management import call_command

from conftest import ROOT, process_env


def _walkthrough() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Try it", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 4, "the walkthrough lost its blocks"
    return "set -euo pipefail\n" + "\n".join(blocks)


@pytest.mark.slow
def test_readme_walkthrough_runs_to_a_paid_out_factory(live_server, start_worker):
    # given: the demo data of `make run` and a worker whose gateway calls the live server
    call_command("seed_demo", verbosity=0)
    start_worker(PAYMENT_WEBHOOK_BASE_URL=live_server.url)
    # when: the blocks run in a shell, as pasted
    env = process_env(BASE=live_server.url, PYTHON=sys.executable, PAYMENT_WEBHOOK_BASE_URL=live_server.url)
    result = subprocess.run(  # noqa: S603
        ["/bin/bash", "-c", _walkthrough()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # then
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert re.search(r"job \d+ is open", out), out
    assert "materials_sent\nin_production\ndelivered\ncompleted\n" in out
    paid = int(re.search(r"factory_hongda paid out: (\d+) fen", out).group(1))
    assert paid >= 1990 * 15 * 95 // 100  # this job's share, less 5% commission, at least
