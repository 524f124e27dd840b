"""When a message may go out: quiet hours in the person's time zone, the daily digest, and the
back-off between attempts (pure functions, no I/O)."""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None, default: str = "UTC") -> ZoneInfo:
    """The IANA time zone `name` (the default when unset or unknown)."""
    for candidate in (name, default, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def in_quiet_hours(local: datetime, start: int, end: int) -> bool:
    """Is the local hour within [start, end)? A window may span midnight (22 -> 7)."""
    if start == end:
        return False
    h = local.hour
    return start <= h < end if start < end else (h >= start or h < end)


def not_before(now: datetime, tz: ZoneInfo, quiet: tuple[int, int] | None) -> datetime:
    """The earliest moment from `now` outside the quiet hours (`now` itself when not quiet)."""
    if quiet is None:
        return now
    start, end = quiet
    local = now.astimezone(tz)
    if not in_quiet_hours(local, start, end):
        return now
    day = local.date()
    if start > end and local.hour >= start:
        day += timedelta(days=1)  # the window ends tomorrow morning
    ends = datetime.combine(day, time(end), tzinfo=tz)
    return ends.astimezone(now.tzinfo)


def next_digest(now: datetime, tz: ZoneInfo, hour: int) -> datetime:
    """The next daily digest time (`hour` o'clock local) at or after `now`."""
    local = now.astimezone(tz)
    at = datetime.combine(local.date(), time(hour), tzinfo=tz)
    if at < local:
        at = datetime.combine(local.date() + timedelta(days=1), time(hour), tzinfo=tz)
    return at.astimezone(now.tzinfo)


def backoff(attempts: int, base: float, cap: float, key: str) -> timedelta:
    """The wait after the `attempts`-th failure: exponential from `base`, capped at `cap`,
    with a deterministic jitter of up to a quarter (from `key`), so retries of many
    deliveries that failed together spread out."""
    raw = min(cap, base * (2 ** max(0, attempts - 1)))
    jitter = int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big") / 65535
    return timedelta(seconds=raw * (1 - 0.25 * jitter))
