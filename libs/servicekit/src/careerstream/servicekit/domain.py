"""What every service's domain model shares, free of I/O: the domain errors and the aggregate.

A domain error says what went wrong in the business's words; the API maps it
to problem+json once (`servicekit.errors.unit`): `NotFound` 404, `Forbidden`
403, `Conflict` 409, `PreconditionFailed` 412, `Invalid` 422.

An `Aggregate` guards its own transitions and records the events they cause;
the service layer saves it and publishes what it recorded through the outbox,
in the same unit of work.
"""

from __future__ import annotations

import re
from typing import Any

from careerstream.contracts.base import EventPayload

_NAMED = re.compile(r"([A-Za-z_][\w.\[\]-]*): ")
"""A problem written `field: what is wrong` names its field."""


def problem_object(problem: str) -> dict[str, Any]:
    """One problem as the `errors` of a problem+json: its message, and its field when the
    message starts with one (`duration_weeks: a gig says how long it lasts`)."""
    m = _NAMED.match(problem)
    return {"field": m.group(1), "message": problem} if m else {"message": problem}


class NotFound(LookupError):
    """It does not exist, or not for the caller (never say which: 404)."""


class Forbidden(PermissionError):
    """The caller may see it but not do this (403)."""


class Conflict(RuntimeError):
    """Not in this state (409)."""


class PreconditionFailed(RuntimeError):
    """The caller's If-Match no longer holds (412)."""


class Invalid(ValueError):
    """Bad input: every problem, each naming its field (422).

    `title`, `detail` and `errors` (one object per problem, e.g. with a path and
    a line) override the plain listing when a service has more to say."""

    def __init__(
        self,
        problems: list[str],
        *,
        title: str = "Invalid request",
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        self.problems = problems
        self.title = title
        self.detail = detail if detail is not None else "; ".join(problems)
        self.errors = errors if errors is not None else [problem_object(p) for p in problems]
        super().__init__("; ".join(problems))


class Aggregate:
    """A consistency boundary that records the domain events its changes cause."""

    def __init__(self) -> None:
        self._events: list[EventPayload] = []

    def record(self, event: EventPayload) -> None:
        """Remember an event to publish when this aggregate is saved."""
        self._events.append(event)

    def pull_events(self) -> list[EventPayload]:
        """The events recorded since the last pull, oldest first (and forget them)."""
        events, self._events = self._events, []
        return events
