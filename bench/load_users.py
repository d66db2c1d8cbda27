"""The load of ``bench/load.py``: locust users against a running stack, at fixed arrival rates.

Run by ``bench/load.py`` (not by hand): ``python bench/load_users.py PLAN.json RESULT.json``.
The plan names the base URL, the SMEs' and factories' access tokens, the phases (``healthz``,
``wallet`` or ``mixed``: ``PHASES``) and the rates to step through. Each user issues requests
at a constant throughput of ``PER_USER`` a second, so a step at R requests a second runs R / PER_USER
users. Per step it writes, per endpoint and in all: requests, failures, p50/p95/p99 (ms)
and the rate achieved. This process is gevent's (locust), so it does no database work.
"""

import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import gevent
from locust import FastHttpUser, events, task
from locust.env import Environment

PER_USER = 1.0  # requests a second per user
PLAN = json.loads(open(sys.argv[1]).read()) if len(sys.argv) > 1 else {}  # noqa: SIM115
SPEC = {"width_mm": 25, "color": "black", "stitch": "box_x"}


def _spread(user):
    """Users start at random points of their first second, so arrivals are spread evenly
    rather than in one burst a second; their schedule starts there (``_paced``)."""
    gevent.sleep(random.random() / PER_USER)  # noqa: S311
    user.next_slot = time.monotonic()


def _paced(user) -> float:
    """Seconds until the user's next slot: one every 1 / PER_USER s from its own start, an
    open loop (a slow answer does not slow the arrivals; a late task goes at once). Locust's
    ``constant_throughput`` re-anchors every user to its spawn instant, which undid the
    spread: all users fired within the spawn window each second, and the bursts queued
    (``/healthz`` at 40/s: p50 214 ms under it, 11 ms with this, as with a plain gevent
    client)."""
    user.next_slot += 1 / PER_USER
    return max(0.0, user.next_slot - time.monotonic())


def _auth(token):
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


class Sme(FastHttpUser):
    """Posts a grab job, pays it on the sandbox's page, and looks at its jobs."""

    weight = 1
    wait_time = _paced

    def on_start(self):
        _spread(self)
        self.headers = _auth(random.choice(PLAN["smes"]))  # noqa: S311
        self.jobs = []

    @task(2)
    def post_and_pay(self):
        deadline = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        body = {"process": "velcro_sewing", "quantity": random.randint(200, 2000), "unit_price_fen": 15}  # noqa: S311
        body.update(deadline=deadline, spec=SPEC)
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex}
        with self.client.post("/api/v1/jobs", json=body, headers=headers, name="POST /jobs", catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code}")
                return
            job = r.json()
        self.jobs = [*self.jobs[-9:], job["id"]]
        self.client.post(_path(job), name="POST pay_url")

    @task(2)
    def list_jobs(self):
        self.client.get("/api/v1/jobs?page_size=20", headers=self.headers, name="GET /jobs")

    @task(1)
    def job_detail(self):
        if self.jobs:
            job_id = random.choice(self.jobs)  # noqa: S311
            self.client.get(f"/api/v1/jobs/{job_id}", headers=self.headers, name="GET /jobs/{id}")


def _path(job) -> str:
    """The pay link's path (the stack's base URL is this run's)."""
    url = job["payment"]["pay_url"]
    return "/" + url.split("/", 3)[3]


class Factory(FastHttpUser):
    """Reads its board and grabs the nearest job; looks at its offers and wallet."""

    weight = 3
    wait_time = _paced

    def on_start(self):
        _spread(self)
        self.headers = _auth(random.choice(PLAN["factories"]))  # noqa: S311

    @task(4)
    def board_and_grab(self):
        with self.client.get("/api/v1/board", headers=self.headers, name="GET /board", catch_response=True) as r:
            rows = r.json().get("results", []) if r.status_code == 200 else []
        if rows and random.random() < 0.5:  # noqa: S311
            with self.client.post(
                f"/api/v1/board/{rows[0]['id']}/accept",
                json={},
                headers=self.headers,
                name="POST /board/{id}/accept",
                catch_response=True,
            ) as r:
                if r.status_code in (201, 409):  # 409: another factory was first (expected)
                    r.success()

    @task(1)
    def offers(self):
        self.client.get("/api/v1/offers", headers=self.headers, name="GET /offers")

    @task(1)
    def wallet(self):
        self.client.get("/api/v1/wallet", headers=self.headers, name="GET /wallet")


class Wallet(FastHttpUser):
    """The cheapest authenticated read of the mix alone (``/api/v1/wallet``: the bearer token's
    user, the throttle, the escrow held and the balances): the floor under every request of the mix."""

    wait_time = _paced

    def on_start(self):
        _spread(self)
        self.headers = _auth(random.choice(PLAN["factories"]))  # noqa: S311

    @task
    def wallet(self):
        self.client.get("/api/v1/wallet", headers=self.headers, name="GET /wallet")


class Health(FastHttpUser):
    wait_time = _paced

    def on_start(self):
        _spread(self)

    @task
    def healthz(self):
        self.client.get("/healthz", name="GET /healthz")


PHASES = {"healthz": [Health], "wallet": [Wallet], "mixed": [Sme, Factory]}


def _step(classes, rate: float, seconds: float) -> dict:
    env = Environment(user_classes=classes, host=PLAN["base"], events=events)
    runner = env.create_local_runner()
    users = max(1, round(rate / PER_USER))
    runner.start(users, spawn_rate=min(users, 100))
    gevent.sleep(users / 100 + 2)  # ramp: every user has started
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    stats = {}
    for entry in [*env.stats.entries.values(), env.stats.total]:
        name = "all" if entry is env.stats.total else f"{entry.name}"
        stats[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5) or 0,
            "p95": entry.get_response_time_percentile(0.95) or 0,
            "p99": entry.get_response_time_percentile(0.99) or 0,
            "rate": entry.num_requests / elapsed,
        }
    runner.quit()
    return {"target": rate, "stats": stats}


def main() -> int:
    result = {}
    for phase in PLAN["phases"]:
        classes = PHASES[phase]
        result[phase] = []
        for rate in PLAN["rates"]:
            step = _step(classes, rate, PLAN["seconds"])
            result[phase].append(step)
            total = step["stats"]["all"]
            print(
                f"  {phase:8} {rate:5.0f}/s: achieved {total['rate']:6.1f}/s, p99 {total['p99']:6.0f} ms, "
                f"failures {total['failures']}",
                flush=True,
            )
            if total["p99"] > 4 * PLAN["p99_ms"] or total["rate"] < 0.7 * rate:
                break  # saturated: the next step would only queue
    with open(sys.argv[2], "w") as out:
        json.dump(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
