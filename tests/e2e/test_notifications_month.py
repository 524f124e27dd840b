"""A simulated company's month on the whole platform, with the notifications service sending to
a real SMTP server: who received what follows from what happened (read back from Kafka), once
each, and no message carries a rating or a competency."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from careerstream.contracts.topics import ASSESSMENT, HRIS_EMPLOYEE, OPPORTUNITY
from careerstream.devstack.mailsink import MailSink
from careerstream.devstack.processes import eventually, platform
from careerstream.devstack.simulation import Simulation, Urls
from careerstream.devstack.stack import Endpoints
from careerstream.devstack.story import tenant_messages

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


async def _events_since(
    bootstrap: str, topics: list[str], tenant: str, since_ms: int
) -> list[dict[str, Any]]:
    """The tenant's events on `topics` written since `since_ms` (a client of our own)."""
    events = [
        json.loads(value)
        for _, value in await tenant_messages(bootstrap, topics, tenant, since_ms=since_ms)
    ]
    return [e for e in events if e.get("tenantid") == tenant]


async def test_a_simulated_month_tells_the_right_people_once(
    endpoints: Endpoints, platform_topics: list[str], tmp_path: Path
) -> None:
    tenant = f"ntf{datetime.now(UTC).strftime('%H%M%S%f')}"
    since = int(time.time() * 1000) - 1000
    with MailSink() as mail:
        env = {
            "NOTIFICATIONS_SMTP_PORT": str(mail.port),
            "NOTIFICATIONS_DELIVER_EVERY_SECONDS": "0.2",
            "HRIS_IMPORT_POLL_SECONDS": "0.2",
        }
        async with platform(endpoints, tmp_path, env) as p:
            urls = Urls(**{name: svc.url for name, svc in p.services.items()})
            truth = await Simulation(
                urls,
                endpoints.kafka_bootstrap,
                tenant=tenant,
                employees=40,
                months=1,
                seed=3,
                out=lambda s: None,
            ).run()
            events = await _events_since(
                endpoints.kafka_bootstrap, [ASSESSMENT, OPPORTUNITY, HRIS_EMPLOYEE], tenant, since
            )
            by_type: dict[str, list[dict[str, Any]]] = {}
            for e in events:
                by_type.setdefault(e["type"].split(".")[-2], []).append(e["data"])
            left = {d["employee_id"] for d in by_type.get("terminated", [])}
            opened = [d["employee_id"] for d in by_type.get("opened", []) if "assessment_id" in d]
            completed = [d["employee_id"] for d in by_type.get("completed", []) if "levels" in d]
            filled = [d for d in by_type.get("filled", []) if d.get("internal")]
            assert opened, "the month opened no assessment"
            assert len(completed) == truth.assessments_completed

            def address(emp: str) -> str:
                return f"{emp.lower()}@{tenant}.example"

            want: Counter[tuple[str, str]] = Counter()
            for emp in opened:
                if emp not in left:
                    want[(address(emp), "Your assessment is open")] += 1
            for emp in completed:
                if emp not in left:
                    want[(address(emp), "Your assessment is complete")] += 1

            def arrived() -> bool:
                got = Counter((r.to[0], r.subject) for r in mail.received)
                return all(got[k] >= n for k, n in want.items())

            await eventually(lambda: _true_or_none(arrived()), "the month's messages", timeout=120)
        got = Counter((r.to[0], r.subject) for r in mail.received)
        for key, n in want.items():
            assert got[key] == n, f"{key}: {got[key]} messages, {n} expected"
        selected = [r for r in mail.received if r.subject.startswith("You have been selected")]
        assert len(selected) <= len(filled)
        # Once each: no message arrived twice.
        assert len({(r.to[0], r.message_id) for r in mail.received}) == len(mail.received)
        # Nothing reached someone who had left before it was decided, and no message carries
        # a competency id or a rating.
        competencies = {
            lv["competency_id"] for e in by_type.get("completed", []) for lv in e.get("levels", [])
        }
        for r in mail.received:
            body = r.text() + r.html()
            for c in competencies:
                assert c not in body, f"{r.subject} names the competency {c}"


async def _true_or_none(value: bool) -> bool | None:
    return True if value else None
