"""A relay process for the fault tests: `python relay_main.py DATABASE_URL BOOTSTRAP`."""

from __future__ import annotations

import asyncio
import sys

from harness import SCHEMA  # type: ignore[import-not-found]

from careerstream.servicekit.relay import OutboxRelay


async def main(db: str, bootstrap: str) -> None:
    relay = OutboxRelay(
        db, SCHEMA, bootstrap, service="kit", batch_size=50, lease_seconds=2.0, poll_interval=0.2
    )
    await relay.start()
    try:
        await relay.run(asyncio.Event())
    finally:
        await relay.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
