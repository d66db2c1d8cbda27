"""In-process CPU per request of every endpoint of the load bench's mix.

Run: ``.venv/bin/python bench/endpoints.py`` (PostgreSQL and Redis as in ``make test``). In
``bench/load.py``'s world (its own database made anew: 20 SMEs, 60 factories), with 300 paid,
open grab jobs posted through the API, it sends each request of the mix through Django's
test client and prints the median CPU time (``time.process_time``) of ``BENCH_ROUNDS`` (60)
requests, endpoint by endpoint; the last line weights them by the mix's rates in a load run
(``MIX_RATES``). No server, no network: the figure is the work of our code and Django's, to
compare two versions back to back (docs/performance.md).
"""

import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402 - sets up Django as bench/load.py does

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "60"))
OPEN_JOBS = 300
SPEC = {"width_mm": 25, "color": "black", "stitch": "box_x"}
# Requests a second of each endpoint in a load run at 60/s asked (about 74 in all).
MIX_RATES = {
    "GET /board": 29.3,
    "POST /board/{id}/accept": 8.2,
    "GET /offers": 7.8,
    "GET /wallet": 7.8,
    "GET /jobs": 6.4,
    "GET /jobs/{id}": 2.7,
    "POST /jobs": 5.8,
}


def _cpu_ms(call) -> float:
    started = time.process_time()
    call()
    return 1000 * (time.process_time() - started)


def _median(call) -> float:
    return statistics.median(_cpu_ms(call) for _ in range(ROUNDS))


class Mix:
    """The test client with the world's tokens, and the requests of the mix."""

    def __init__(self, tokens: dict):
        from django.test import Client

        self.client = Client(HTTP_HOST="127.0.0.1")
        self.smes, self.factories = tokens["smes"], tokens["factories"]

    def _auth(self, token, **headers) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {token}", **headers}

    def post_job(self, token) -> dict:
        deadline = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        body = {"process": "velcro_sewing", "quantity": random.randint(200, 2000), "unit_price_fen": 15}  # noqa: S311
        body.update(deadline=deadline, spec=SPEC)
        headers = self._auth(token, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        response = self.client.post("/api/v1/jobs", json.dumps(body), content_type="application/json", **headers)
        if response.status_code != 201:
            raise SystemExit(f"POST /jobs 返回 / answered {response.status_code}: {response.content[:300]!r}")
        return response.json()

    def seed(self) -> None:
        """300 open jobs: posted through the API, paid through the payment service."""
        from payments.models import Payment
        from payments.services import payment_captured

        for n in range(OPEN_JOBS):
            job = self.post_job(random.choice(self.smes))  # noqa: S311
            payment_captured(payment_id=Payment.objects.get(job_id=job["id"]).id, provider_ref=f"bench-{n}")

    def get(self, path, token):
        return self.client.get(path, **self._auth(token))

    def accept_cpu_ms(self) -> float:
        """A factory's grab of the first job on its board (the board read is not counted)."""
        token = random.choice(self.factories)  # noqa: S311
        rows = self.get("/api/v1/board", token).json()["results"]
        if not rows:
            raise SystemExit("工厂的抢单板空了，请多放一些订单 / a factory's board ran empty; seed more jobs")
        path = f"/api/v1/board/{rows[0]['id']}/accept"
        return _cpu_ms(lambda: self.client.post(path, "{}", content_type="application/json", **self._auth(token)))


def main() -> int:
    load.setup()
    mix = Mix(load.build_world())
    mix.seed()
    sme, factory = mix.smes[0], mix.factories[0]
    mine = [mix.post_job(sme)["id"] for _ in range(5)]
    figures = {
        "/healthz": _median(lambda: mix.client.get("/healthz")),
        "GET /wallet": _median(lambda: mix.get("/api/v1/wallet", factory)),
        "GET /offers": _median(lambda: mix.get("/api/v1/offers", factory)),
        "GET /board": _median(lambda: mix.get("/api/v1/board", random.choice(mix.factories))),  # noqa: S311
        "GET /jobs": _median(lambda: mix.get("/api/v1/jobs?page_size=20", sme)),
        "GET /jobs/{id}": _median(lambda: mix.get(f"/api/v1/jobs/{random.choice(mine)}", sme)),  # noqa: S311
        "POST /jobs": _median(lambda: mix.post_job(sme)),
        "POST /board/{id}/accept": statistics.median(mix.accept_cpu_ms() for _ in range(ROUNDS)),
    }
    print(f"每个请求的进程内 CPU，{ROUNDS} 次的中位数（{OPEN_JOBS} 个开放订单，60 家工厂）")
    print(f"in-process CPU per request, median of {ROUNDS} ({OPEN_JOBS} open jobs, 60 factories):")
    for name, ms in figures.items():
        print(f"  {name:26} {ms:6.2f} ms")
    weighted = sum(figures[name] * rate for name, rate in MIX_RATES.items()) / sum(MIX_RATES.values())
    print(f"  按混合负载的请求率加权 / the mix's web requests, weighted by their rates: {weighted:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
