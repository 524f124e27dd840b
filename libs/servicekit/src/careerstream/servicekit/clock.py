"""Business time: when things happen in the company, as the services record them.

Every decision time a service records and publishes (an opportunity posted and filled,
a plan approved, a goal achieved, a cycle opened, an HRIS change taking effect) and
every event's `time` come from `now()`. In production that is the wall clock.

The simulator compresses months into minutes; measured on the wall clock, its company
would fill every role in 0.0 days. So a service can run with a **test clock**
(`CAREERSTREAM_TEST_CLOCK=1`, refused when `environment` is production): then

- a request may say when it happens with the `X-Careerstream-Business-Time` header
  (an ISO 8601 time with its offset); `now()` answers that time while it is served;
- an event is handled at its own `time`: what a consumer decides in reaction (a
  plan drafted from a gap, a notification) happens when the event happened.

Without the header (or the test clock), `now()` is the wall clock. Leases, token
expiry, webhook signatures and background jobs keep the wall clock: they are about
the machine, not the company.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

HEADER = "x-careerstream-business-time"
ENV = "CAREERSTREAM_TEST_CLOCK"

_at: ContextVar[datetime | None] = ContextVar("careerstream_business_time", default=None)
_enabled = False


class TestClockRefused(RuntimeError):
    """The test clock was asked for in production."""


def configure(environment: str, env: dict[str, str] | None = None) -> bool:
    """Turn the test clock on when `CAREERSTREAM_TEST_CLOCK` is set (never in production)."""
    global _enabled
    value = (env if env is not None else os.environ).get(ENV, "").strip().lower()
    wanted = value in ("1", "true", "yes", "on")
    if wanted and environment == "production":
        raise TestClockRefused(
            f"{ENV} is set in production: business time may only be set by tests and the "
            "simulator; unset it"
        )
    _enabled = wanted
    return _enabled


def enabled() -> bool:
    """Whether requests and events may set business time."""
    return _enabled


def now() -> datetime:
    """The business time now: the wall clock, or the time the test clock was set to."""
    return _at.get() or datetime.now(UTC)


@contextmanager
def at(when: datetime | None) -> Iterator[None]:
    """Business time is `when` inside (nothing changes when the test clock is off or `when`
    is None)."""
    if not _enabled or when is None:
        yield
        return
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    token = _at.set(when)
    try:
        yield
    finally:
        _at.reset(token)


def parse_header(value: str) -> datetime:
    """The header's time; ValueError naming what is wrong."""
    if len(value) > 64:
        raise ValueError("longer than a time")
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"{value[:40]!r} is not an ISO 8601 time") from exc
    if when.tzinfo is None:
        raise ValueError(f"{value[:40]!r} has no offset (e.g. +00:00 or Z)")
    return when.astimezone(UTC)
