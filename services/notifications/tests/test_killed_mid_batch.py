"""The notifications service as a process, killed (SIGKILL) in the middle of deciding and of
delivering a cycle's messages, then started again: nothing is lost, and no address gets two
different messages for one event. A message a kill catches between the SMTP server's
acceptance and the service's record of it (at most one per SMTP connection) is sent again
with the same Message-ID."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from careerstream.contracts.events.assessments import AssessmentOpened
from careerstream.devstack.mailsink import MailSink
from careerstream.devstack.ports import free_port
from careerstream.devstack.processes import Service
from careerstream.devstack.testing import fresh_database, start_groups_at_the_end

from .conftest import Send, hired, tenant_id, until

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

PEOPLE = 300
CONNECTIONS = 4


def _at_least(mail: MailSink, n: int) -> Callable[[], bool]:
    return lambda: len(mail.received) >= n


async def test_killed_twice_nothing_lost_nothing_twice(
    admin_database_url: str,
    kafka_bootstrap: str,
    send: Send,
    mail: MailSink,
    tmp_path: Path,
) -> None:
    t = tenant_id()
    groups = f"kill-{uuid.uuid4().hex[:8]}-"
    await start_groups_at_the_end(kafka_bootstrap, groups)
    async with fresh_database(admin_database_url) as db:
        port = free_port()
        env = {
            **os.environ,
            "NOTIFICATIONS_DATABASE_URL": db,
            "NOTIFICATIONS_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "NOTIFICATIONS_HTTP_PORT": str(port),
            "NOTIFICATIONS_ENVIRONMENT": "test",
            "NOTIFICATIONS_SMTP_PORT": str(mail.port),
            "NOTIFICATIONS_DELIVER_EVERY_SECONDS": "0.05",
            "NOTIFICATIONS_BATCH_SIZE": "50",
            "NOTIFICATIONS_LEASE_SECONDS": "2",
            "NOTIFICATIONS_SMTP_CONNECTIONS": str(CONNECTIONS),
            "CAREERSTREAM_CONSUMER_GROUP_PREFIX": groups,
            "CAREERSTREAM_LOG_LEVEL": "WARNING",
        }
        svc = Service("notifications", port, env, tmp_path / "notifications.log")
        svc.start()
        try:
            ids = [f"E{i:04d}" for i in range(PEOPLE)]
            await send(t, *(hired(e, None, t) for e in ids))
            deadline = datetime.now(UTC) + timedelta(days=10)
            await send(
                t,
                *(
                    AssessmentOpened(
                        assessment_id=f"A{e}",
                        cycle_id="C1",
                        employee_id=e,
                        role_id="r1",
                        deadline=deadline,
                        opened_at=datetime.now(UTC),
                    )
                    for e in ids
                ),
            )
            kills = 0
            for threshold in (PEOPLE // 4, PEOPLE // 2):
                await until(_at_least(mail, threshold), f"{threshold} sent", 120)
                assert svc.process is not None
                svc.process.send_signal(signal.SIGKILL)
                svc.process.wait()
                kills += 1
                svc.start()
            await until(
                lambda: len({r.message_id for r in mail.received}) >= PEOPLE,
                "every message sent",
                180,
            )
            await asyncio.sleep(3)  # leases of anything in flight at a kill run out
        finally:
            svc.stop()
        per_address = Counter(r.to[0] for r in mail.received)
        assert set(per_address) == {f"{e.lower()}@{t}.example" for e in ids}
        distinct = {(r.to[0], r.message_id) for r in mail.received}
        assert len(distinct) == PEOPLE, "an address got two different messages for one event"
        # At most the message in flight on each SMTP connection at a kill, with its Message-ID.
        repeats = len(mail.received) - PEOPLE
        assert repeats <= kills * CONNECTIONS, f"{repeats} messages repeated for {kills} kills"
