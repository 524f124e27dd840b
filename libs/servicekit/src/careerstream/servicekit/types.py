"""Bounded types for what requests carry: dates and times every service can compute with.

A date like 0001-01-02 or 9999-12-31 is valid ISO 8601 but breaks arithmetic
(a year before it, the month after it) and says nothing real about a career. Request
models and query parameters use `Day` and `Moment`, which accept 1900-01-01 to
2199-12-31 and answer 422 naming the field otherwise.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


def _iso_day(value: Any) -> Any:
    # pydantic would read "0" or 0 as a unix time; a day is written YYYY-MM-DD. Parsed here,
    # so strict validation (the edge's) and lax validation (the route's) agree.
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("must be a date written YYYY-MM-DD")
        return date.fromisoformat(value)
    if isinstance(value, int | float):
        raise ValueError("must be a date written YYYY-MM-DD, not a number")
    return value


def _iso_moment(value: Any) -> Any:
    if isinstance(value, int | float) or (
        isinstance(value, str) and not re.match(r"\d{4}-\d{2}-\d{2}", value)
    ):
        raise ValueError("must be a date and time in ISO 8601 (YYYY-MM-DDThh:mm:ss±hh:mm)")
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(
                "must be a date and time in ISO 8601 (YYYY-MM-DDThh:mm:ss±hh:mm)"
            ) from exc
    return value


def _day_in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY} and {LAST_DAY}")
    return value


def _moment_in_range(value: datetime) -> datetime:
    _day_in_range(value.date())
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Day = Annotated[date, BeforeValidator(_iso_day), AfterValidator(_day_in_range)]
"""A calendar day between `FIRST_DAY` and `LAST_DAY`."""
Moment = Annotated[datetime, BeforeValidator(_iso_moment), AfterValidator(_moment_in_range)]
"""A point in time between `FIRST_DAY` and `LAST_DAY` (UTC when no offset is given)."""
