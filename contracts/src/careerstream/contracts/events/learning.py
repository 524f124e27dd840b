"""Learning records: what the company's learning platforms (LMSs) say people did.

The hris gateway's learning-records intake receives xAPI statements from an LMS
(docs/learning-records.md), maps the statement's actor to an employee, keeps the
statement, and publishes one of these for the verbs the platform acts on. Every
event of one person shares a message key, so a voiding follows what it voids.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from careerstream.contracts import topics
from careerstream.contracts.base import EventPayload, Id


class LearningVerb(StrEnum):
    """The xAPI verbs the platform acts on (by the last segment of the ADL verb IRI)."""

    COMPLETED = "completed"
    PASSED = "passed"
    FAILED = "failed"
    PROGRESSED = "progressed"
    ATTEMPTED = "attempted"


class _Record(EventPayload):
    topic = topics.LEARNING
    aggregate_field = "employee_id"

    statement_id: Id
    """The xAPI statement's id (a UUID): the same statement is never published twice."""
    employee_id: Id
    """Whom the statement's actor was mapped to."""
    source_id: Id
    """The LMS the statement came from (its credentials at the intake)."""
    activity_id: str = Field(min_length=1, max_length=2048)
    """The activity's IRI as the LMS names it (plans map it to a catalogue entry)."""
    activity_name: str | None = None
    """The activity's name, in the statement's first language, when it gives one."""
    verb: LearningVerb
    """What the statement says happened."""
    success: bool | None = None
    """`result.success`, when given."""
    score_scaled: float | None = Field(default=None, ge=-1, le=1)
    """`result.score.scaled`, when given."""
    occurred_at: datetime
    """The statement's `timestamp` (when it happened; `stored` when it gave none)."""
    stored_at: datetime
    """When the intake stored it."""


class LearningCompleted(_Record):
    """Someone completed or passed an activity (`completed` with `result.success` false is
    published as `learning.progressed` with the verb `failed`)."""

    event_type = "careerstream.learning.activity.completed.v1"


class LearningProgressed(_Record):
    """Someone attempted, progressed in, or failed an activity."""

    event_type = "careerstream.learning.activity.progressed.v1"

    progress: int | None = Field(default=None, ge=0, le=100)
    """Percent done, from `result.extensions` progress (cmi5 / ADL) or `result.score.scaled`
    of a `progressed` statement; None when the statement does not say."""


class LearningVoided(EventPayload):
    """A statement published before was voided by the LMS: act as if it had never come."""

    event_type = "careerstream.learning.statement.voided.v1"
    topic = topics.LEARNING
    aggregate_field = "employee_id"

    statement_id: Id
    """The statement voided."""
    employee_id: Id
    """Whose statement it was."""
    voided_by: Id
    """The voiding statement's id."""
    voided_at: datetime
    """When the intake stored the voiding statement."""
