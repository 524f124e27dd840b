"""Statements accepted per second by the xAPI intake, against the same service's plain HTTP.

Starts the hris gateway as its own process (fresh database, the test stack's Kafka), loads
a directory of people with work e-mail addresses, connects an LMS, and posts statements
over HTTP with a realistic mix (per 20: 11 completed or passed by a known person's e-mail
address, 4 progressed with a cmi5 progress, 2 attempted, 1 launched — kept, not acted on —,
1 by someone the directory does not know, 1 voiding an earlier statement), each stored and
published through the outbox:

- one statement per request (what most LMSs send as it happens), and
- batches of 50 (what an LMS sends when it catches up);

and, as the baseline in the same run and process, the same number of requests to
`GET /xapi/about` (the service's HTTP stack with no credentials, no body and no database).
Rounds alternate, so a busy machine slows each alike.

    uv run python -m bench.learning_intake --requests 1500 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from careerstream.devstack import kafka
from careerstream.devstack.ports import free_port
from careerstream.devstack.sample import auth, import_directory
from careerstream.devstack.stack import platform_topics
from careerstream.devstack.testing import (
    fresh_database,
    start_groups_at_the_end,
    test_infrastructure,
)

PEOPLE = 2000
CONCURRENCY = 8
COURSES = [f"https://lms.acme.example/course/{i}" for i in range(200)]


class Mix:
    """Statements in the bench's mix, each with a fresh id."""

    def __init__(self) -> None:
        self.n = 0
        self.sent: list[str] = []

    def next(self) -> dict[str, Any]:
        self.n += 1
        i = self.n % 20
        person = f"p{self.n % PEOPLE:05d}@acme.example"
        verb, result = "completed", {"completion": True, "duration": "PT45M"}
        if i == 0 and self.sent:
            return {
                "id": str(uuid.uuid4()),
                "actor": {"mbox": "mailto:admin@lms.acme.example"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
                "object": {"objectType": "StatementRef", "id": self.sent[self.n % len(self.sent)]},
            }
        if i in (1, 2, 3, 4):
            verb = "progressed"
            result = {
                "extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 25 * i}
            }
        elif i in (5, 6):
            verb, result = "attempted", {}
        elif i == 7:
            verb, result = "launched", {}
        elif i == 8:
            person = f"stranger{self.n}@elsewhere.example"
        elif i in (9, 10):
            verb, result = (
                "passed",
                {"success": True, "score": {"scaled": 0.9, "raw": 90, "min": 0, "max": 100}},
            )
        statement: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "actor": {"objectType": "Agent", "name": "Learner", "mbox": f"mailto:{person}"},
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
            "object": {
                "objectType": "Activity",
                "id": COURSES[self.n % len(COURSES)],
                "definition": {
                    "name": {"en-US": f"Course {self.n % len(COURSES)}"},
                    "type": "http://adlnet.gov/expapi/activities/course",
                },
            },
            "timestamp": datetime.now(UTC).isoformat(),
            "context": {"platform": "LMS", "language": "en-US"},
        }
        if result:
            statement["result"] = result
        if len(self.sent) < 500:
            self.sent.append(statement["id"])
        return statement


async def _drive(
    c: httpx.AsyncClient, requests: Sequence[tuple[str, str, bytes | None]], headers: dict[str, str]
) -> float:
    queue = list(reversed(requests))

    async def worker() -> None:
        while queue:
            method, path, body = queue.pop()
            r = await c.request(method, path, content=body, headers=headers)
            assert r.status_code in (200, 204), r.text

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return time.perf_counter() - started


async def main(requests: int, rounds: int, admin_url: str, bootstrap: str) -> dict[str, Any]:
    await kafka.create_platform_topics(bootstrap, platform_topics(), partitions=3)
    tenant = f"lrs{uuid.uuid4().hex[:8]}"
    async with fresh_database(admin_url) as db:
        port = free_port()
        groups = f"bench-{uuid.uuid4().hex[:6]}-"
        await start_groups_at_the_end(bootstrap, groups)
        env = dict(
            os.environ,
            HRIS_DATABASE_URL=db,
            HRIS_KAFKA_BOOTSTRAP_SERVERS=bootstrap,
            HRIS_HTTP_PORT=str(port),
            HRIS_IMPORT_POLL_SECONDS="0.2",
            CAREERSTREAM_CONSUMER_GROUP_PREFIX=groups,
            CAREERSTREAM_LOG_LEVEL="WARNING",
        )
        proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before measuring
            [sys.executable, "-m", "careerstream.hris", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            limits = httpx.Limits(max_connections=CONCURRENCY)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
            ) as c:
                for _ in range(300):
                    try:
                        if (await c.get("/readyz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.2)
                hr = auth(tenant, "HR", "hr_admin")
                directory = "employee_id,display_name,job_code,work_email\n" + "".join(
                    f"E{i:05d},Person {i},ENG,p{i:05d}@acme.example\n" for i in range(PEOPLE)
                )
                await import_directory(c, tenant, directory, timeout=300)
                creds = (
                    await c.put("/v1/learning-sources/lms", json={"name": "LMS"}, headers=hr)
                ).json()
                lms = {
                    "Authorization": "Basic "
                    + base64.b64encode(f"{creds['key']}:{creds['secret']}".encode()).decode(),
                    "X-Experience-API-Version": "1.0.3",
                    "Content-Type": "application/json",
                }
                mix = Mix()
                runs: dict[str, list[float]] = {"about": [], "single": [], "batch50": []}
                for _ in range(rounds):
                    about = [("GET", "/xapi/about", None)] * requests
                    runs["about"].append(requests / await _drive(c, about, {}))
                    single = [
                        ("POST", "/xapi/statements", json.dumps(mix.next()).encode())
                        for _ in range(requests)
                    ]
                    runs["single"].append(requests / await _drive(c, single, lms))
                    batches = [
                        (
                            "POST",
                            "/xapi/statements",
                            json.dumps([mix.next() for _ in range(50)]).encode(),
                        )
                        for _ in range(max(1, requests // 50))
                    ]
                    runs["batch50"].append(50 * len(batches) / await _drive(c, batches, lms))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    ratios_single = [s / a for s, a in zip(runs["single"], runs["about"], strict=True)]
    ratios_batch = [b / a for b, a in zip(runs["batch50"], runs["about"], strict=True)]
    return {
        "about_requests_per_s": [round(x) for x in runs["about"]],
        "single_statements_per_s": [round(x) for x in runs["single"]],
        "batch50_statements_per_s": [round(x) for x in runs["batch50"]],
        "single_over_about_each_round": [round(r, 2) for r in ratios_single],
        "batch50_over_about_each_round": [round(r, 2) for r in ratios_batch],
        "single_over_about_median": round(statistics.median(ratios_single), 2),
        "batch50_over_about_median": round(statistics.median(ratios_batch), 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with test_infrastructure() as ep:
        print(
            json.dumps(
                asyncio.run(
                    main(args.requests, args.rounds, ep.admin_database_url, ep.kafka_bootstrap)
                ),
                indent=2,
            )
        )
