"""Events of the metrics service: the daily snapshot of the programme's figures."""

from __future__ import annotations

from datetime import date, datetime

from careerstream.contracts import topics
from careerstream.contracts.base import EventPayload, Id


class SnapshotTaken(EventPayload):
    """The programme's headline figures for one tenant on one day (see services/metrics/METRICS.md)."""

    event_type = "careerstream.metrics.snapshot.taken.v1"
    topic = topics.METRICS_SNAPSHOT
    aggregate_field = "snapshot_id"

    snapshot_id: Id
    """`<tenant>:<day>`: one snapshot per tenant and day."""
    day: date
    """The day the figures describe (up to its end)."""
    window_days: int
    """The trailing window the rates are computed over, in days."""
    figures: dict[str, float | None]
    """Figure name -> value (null when there is nothing to compute it from), e.g. internal_hire_rate."""
    taken_at: datetime
    """When the snapshot was computed."""
