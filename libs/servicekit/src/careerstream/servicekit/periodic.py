"""Background jobs that run a round every so often until the service stops.

A round that fails is logged and tried again at the next tick: a database
blip never ends the job. A round may ask to run again at once (it found more
work) by returning True; otherwise the job waits for the next tick or the stop,
whichever comes first, so stopping never waits for a whole interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

Job = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
"""What `service.run` starts beside the consumers: `async def job(stopping)`."""

Round = Callable[[], Awaitable[bool | None]]
"""One round of work; returns True to run the next one at once."""


def every(seconds: float, round_: Round, *, name: str, log: logging.Logger) -> Job:
    """A job that runs `round_` every `seconds` until `stopping` is set (see the module)."""

    async def job(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                if await round_():
                    continue
            except Exception as exc:  # the next round tries again
                log.warning("%s round failed: %r", name, exc)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), seconds)

    return job
