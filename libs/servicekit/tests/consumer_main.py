"""A consumer process for the fault tests.

`python consumer_main.py DATABASE_URL BOOTSTRAP TOPIC CRASH_DIR CRASH_AT...`: applies
hired events; right after the database commit of the Nth applied event (for each N in
CRASH_AT, once), it SIGKILLs itself — before the Kafka offset is committed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from faststream.kafka import KafkaBroker
from harness import build_uow, record_effect  # type: ignore[import-not-found]

from careerstream.contracts.events.hris import EmployeeHired
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.subscriptions import subscribe
from careerstream.servicekit.uow import UnitOfWork


async def main(db: str, bootstrap: str, topic: str, crash_dir: Path, crash_at: set[int]) -> None:
    _, factory = build_uow(db)
    applied = len(list(crash_dir.glob("applied-*")))  # noqa: ASYNC240 - once, at start-up

    class CrashingUow(UnitOfWork):
        async def commit(self) -> None:
            nonlocal applied
            await super().commit()
            applied += 1
            (crash_dir / f"applied-{applied}-{os.getpid()}").touch()
            marker = crash_dir / f"crashed-{applied}"
            if applied in crash_at and not marker.exists():
                marker.touch()
                os.kill(os.getpid(), signal.SIGKILL)

    def make() -> UnitOfWork:
        base = factory()
        base.__class__ = CrashingUow
        return base  # type: ignore[no-any-return]

    consumer = EventConsumer(
        "kit-effects", make, {EmployeeHired: record_effect}, topics_override=[topic]
    )
    broker = KafkaBroker(bootstrap)
    subscribe(broker, consumer)
    await broker.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(
        main(
            sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]), {int(x) for x in sys.argv[5:]}
        )
    )
