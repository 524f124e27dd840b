"""Steps the end-to-end tests share, taken through the APIs as HR, employees and managers would.

A company set up (the example framework published, the Workday source opened, its job
codes mapped to roles), people hired through the Workday webhook, a person rated one level
short of their role by their manager, and what a topic holds of one tenant, read by a Kafka
client of the test's own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from careerstream.contracts.webhooks import sign
from careerstream.devstack.config import repo_root
from careerstream.devstack.processes import Platform, eventually

EXAMPLE_FRAMEWORK = repo_root() / "services" / "frameworks" / "examples" / "typical-company.yaml"
"""The example company's framework (engineering, product, people...)."""
ENGINEERING_JOBS = {
    "ENG1": "engineering.software-engineer",
    "ENG2": "engineering.senior-engineer",
    "MGR": "engineering.engineering-manager",
    "DIR": "engineering.director-of-engineering",
}
"""Job codes of an HRIS mapped to the example framework's engineering roles."""


async def publish_example_framework(p: Platform, hr: Mapping[str, str]) -> None:
    """Import the example framework and publish it."""
    imported = await p["frameworks"].post(
        "/v1/frameworks/import?publish=true",
        content=EXAMPLE_FRAMEWORK.read_bytes(),
        headers={**hr, "Content-Type": "application/yaml"},
    )
    assert imported.status_code == 201, imported.text


async def map_jobs(p: Platform, hr: Mapping[str, str], jobs: Mapping[str, str]) -> None:
    """Map each HRIS job code to a role of the framework."""
    for code, role in jobs.items():
        r = await p["hris"].put(f"/v1/job-mappings/{code}", json={"role_id": role}, headers=hr)
        assert r.status_code == 200, r.text


async def workday_company(p: Platform, hr: Mapping[str, str], jobs: Mapping[str, str]) -> str:
    """The example framework published, the Workday source opened and `jobs` mapped: returns
    the source's webhook secret."""
    await publish_example_framework(p, hr)
    r = await p["hris"].put("/v1/sources/workday", headers=hr)
    assert r.status_code in (200, 201), r.text
    secret: str = r.json()["secret"]
    await map_jobs(p, hr, jobs)
    return secret


async def workday_hook(
    hris: httpx.AsyncClient, tenant: str, secret: str, payload: Mapping[str, Any]
) -> None:
    """One Workday notification, signed as Workday signs it; the gateway must accept it."""
    body = json.dumps(payload).encode()
    headers = {
        **sign("workday", secret, body, datetime.now(UTC)),
        "Content-Type": "application/json",
    }
    resp = await hris.post(f"/v1/webhooks/{tenant}/workday", content=body, headers=headers)
    assert resp.status_code == 202, resp.text


async def workday_hires(
    hris: httpx.AsyncClient, tenant: str, secret: str, workers: Sequence[Mapping[str, Any]]
) -> None:
    """Each Workday worker hired today, in order (event ids `hire-0`, `hire-1`...)."""
    today = datetime.now(UTC).date().isoformat()
    for i, worker in enumerate(workers):
        await workday_hook(
            hris,
            tenant,
            secret,
            {"eventId": f"hire-{i}", "eventType": "Hire", "effectiveDate": today, "worker": worker},
        )


async def rated_one_level_short(
    p: Platform,
    employee: str,
    me: Mapping[str, str],
    manager: Mapping[str, str],
    evidence: str | None = None,
) -> str:
    """The person rates themselves at their role's levels and their manager rates the first
    competency one level short (the others as required): returns that competency."""
    mine = await eventually(
        lambda: _assessments_of(p, employee, me), f"an assessment of {employee}"
    )
    aid = mine[0]["assessment_id"]
    required = (await p["assessments"].get(f"/v1/assessments/{aid}", headers=me)).json()["required"]
    short: str = sorted(required)[0]

    def ratings(gap: bool) -> dict[str, Any]:
        out = []
        for c, level in required.items():
            rating: dict[str, Any] = {
                "competency_id": c,
                "level": max(1, level - 1) if gap and c == short else level,
            }
            if evidence is not None:
                rating["evidence"] = evidence
            out.append(rating)
        return {"ratings": out}

    r = await p["assessments"].post(
        f"/v1/assessments/{aid}/submissions", json=ratings(False), headers=me
    )
    assert r.status_code == 201, r.text

    async def manager_rates() -> Any:
        r = await p["assessments"].post(
            f"/v1/assessments/{aid}/submissions", json=ratings(True), headers=manager
        )
        return r if r.status_code == 201 else None

    await eventually(manager_rates, f"the manager's ratings of {employee}")
    return short


async def _assessments_of(p: Platform, employee: str, me: Mapping[str, str]) -> Any:
    r = await p["assessments"].get(f"/v1/assessments?employee_id={employee}", headers=me)
    return r.status_code == 200 and r.json()


async def tenant_messages(
    bootstrap: str, topics: Sequence[str], tenant: str, *, since_ms: int | None = None
) -> list[tuple[str, bytes]]:
    """(topic, value) of every message on `topics` whose value names `tenant`, from the
    beginning or from `since_ms` (a Kafka client of the test's own; the caller decodes)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    out: list[tuple[str, bytes]] = []
    needle = tenant.encode()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        tps = [
            TopicPartition(t, part)
            for t in topics
            for part in sorted(cluster.partitions_for_topic(t) or ())
        ]
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts: dict[TopicPartition, int] = {}
        if since_ms is None:
            starts = await consumer.beginning_offsets(tps)  # retention may have deleted some
            for tp, offset in starts.items():
                consumer.seek(tp, offset)
        else:
            for tp, found in (
                await consumer.offsets_for_times(dict.fromkeys(tps, since_ms))
            ).items():
                if found is not None:
                    consumer.seek(tp, found.offset)
                    starts[tp] = found.offset
        remaining = {tp: ends[tp] for tp, start in starts.items() if ends[tp] > start}
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batches.items():
                for r in records:
                    if r.value is not None and needle in r.value:
                        out.append((tp.topic, r.value))
                    if r.offset + 1 >= remaining.get(tp, 0):
                        remaining.pop(tp, None)
    finally:
        await consumer.stop()
    return out
