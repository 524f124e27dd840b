"""Several relay replicas share the outbox lanes evenly and hand them over when one stops."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from harness import SCHEMA, setup_schema  # type: ignore[import-not-found]

from careerstream.servicekit.relay import OutboxRelay
from careerstream.servicekit.runtime_tables import OUTBOX_LANES

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def _holders(database_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            f"SELECT owner, count(*) AS n FROM {SCHEMA}.outbox_lane "
            "WHERE owner IS NOT NULL AND lease_until > now() GROUP BY owner"
        )
    finally:
        await conn.close()
    return {r["owner"]: r["n"] for r in rows}


async def test_replicas_share_lanes_and_take_over_when_one_stops(
    database_url: str, kafka_bootstrap: str
) -> None:
    await setup_schema(database_url)
    first = OutboxRelay(database_url, SCHEMA, kafka_bootstrap, service="kit", owner="first")
    second = OutboxRelay(database_url, SCHEMA, kafka_bootstrap, service="kit", owner="second")
    third = OutboxRelay(database_url, SCHEMA, kafka_bootstrap, service="kit", owner="third")
    await first.start()
    await second.start()
    await third.start()
    try:
        await first.run_once()
        assert await _holders(database_url) == {"first": OUTBOX_LANES}  # alone: all lanes

        await second.run_once()  # announces itself; the lanes are all leased
        await first.run_once()  # sees two relays: hands half back
        await second.run_once()  # takes them
        assert await _holders(database_url) == {
            "first": OUTBOX_LANES // 2,
            "second": OUTBOX_LANES // 2,
        }

        for relay in (third, first, second, third):
            await relay.run_once()
        held = await _holders(database_url)
        assert sum(held.values()) == OUTBOX_LANES
        assert len(held) == 3, held
        assert max(held.values()) <= -(-OUTBOX_LANES // 3), held  # nobody above its share

        await third.stop()
        await first.run_once()
        await second.run_once()
        assert await _holders(database_url) == {
            "first": OUTBOX_LANES // 2,
            "second": OUTBOX_LANES // 2,
        }
    finally:
        await first.stop()
        await second.stop()


async def test_a_stop_does_not_wait_out_the_poll_interval(
    database_url: str, kafka_bootstrap: str
) -> None:
    """A service's shutdown waits for its relay: a relay that slept out its poll interval
    first added it to every stop (0.5 s per service, per test, before)."""
    await setup_schema(database_url)
    relay = OutboxRelay(database_url, SCHEMA, kafka_bootstrap, service="kit", poll_interval=600)
    await relay.start()
    stopping = asyncio.Event()
    running = asyncio.create_task(relay.run(stopping))
    try:
        # Asleep once it holds its lanes (the round is done; the outbox is empty).
        for _ in range(200):
            if await _holders(database_url) == {relay.owner: OUTBOX_LANES}:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        stopping.set()
        await asyncio.wait_for(running, timeout=30)  # not 600 s
    finally:
        running.cancel()
        await relay.stop()
