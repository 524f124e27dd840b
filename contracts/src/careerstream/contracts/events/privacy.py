"""Events of the privacy service: erasure of an employee across the platform.

The privacy service owns the erasure contract. It asks (`erasure.requested`);
every service that holds personal data answers for its part
(`erasure.answered`, with its own `source`); when all have answered, or the
deadline passed, it destroys the person's data key and says so
(`erasure.completed`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from careerstream.contracts import topics
from careerstream.contracts.base import ContractModel, EventPayload, Id


class ErasureRequested(EventPayload):
    """HR asked to erase an employee: every service deletes or anonymises what it holds."""

    event_type = "careerstream.privacy.erasure.requested.v1"
    topic = topics.ERASURE
    aggregate_field = "erasure_id"

    erasure_id: Id
    """The erasure request."""
    employee_id: Id
    """Who is erased."""
    services: list[str] = Field(min_length=1)
    """The services expected to answer."""
    deadline: datetime
    """When the key is destroyed even if a service has not answered (reported)."""
    requested_at: datetime
    """When HR asked."""
    requested_by: Id | None = None
    """Who asked (the HR admin), told when the erasure completes."""


class ErasureAnswered(EventPayload):
    """One service erased what it held about the employee (its `source` says which)."""

    event_type = "careerstream.privacy.erasure.answered.v1"
    topic = topics.ERASURE
    aggregate_field = "erasure_id"

    erasure_id: Id
    """The erasure request answered."""
    employee_id: Id
    """Who was erased."""
    service: str = Field(pattern=r"^[a-z]+$")
    """The service that answers."""
    deleted: dict[str, int] = {}
    """Rows deleted, by table."""
    anonymised: dict[str, int] = {}
    """Rows kept for the aggregates but no longer tied to the person, by table."""
    answered_at: datetime
    """When the service finished."""


class ErasureCompleted(EventPayload):
    """The employee's data key was destroyed: their sealed fields can never be read again."""

    event_type = "careerstream.privacy.erasure.completed.v1"
    topic = topics.ERASURE
    aggregate_field = "erasure_id"

    erasure_id: Id
    """The erasure request."""
    employee_id: Id
    """Who was erased."""
    answered: list[str]
    """The services that answered."""
    missing: list[str] = []
    """Services that had not answered by the deadline (they erase when they return)."""
    completed_at: datetime
    """When the key was destroyed."""


class AccessAction(StrEnum):
    READ = "read"
    WRITE = "write"


class AccessRecord(ContractModel):
    actor_id: Id
    """Who called (their employee id, or a service's name)."""
    actor_roles: list[str]
    """The roles of their token."""
    subject_id: Id
    """Whose career data was read or changed."""
    action: AccessAction
    """Read (GET) or write."""
    method: str
    """The HTTP method."""
    route: str
    """The route template, e.g. `/v1/employees/{employee_id}/gaps`."""
    status: int
    """The response status."""
    at: datetime
    """When."""


class AccessRecorded(EventPayload):
    """A batch of personal reads and writes one service answered (for the audit trail)."""

    event_type = "careerstream.privacy.access.recorded.v1"
    topic = topics.ACCESS
    aggregate_field = "batch_id"

    batch_id: Id
    """The batch."""
    service: str = Field(pattern=r"^[a-z]+$")
    """The service that answered the calls."""
    records: list[AccessRecord] = Field(min_length=1)
    """One per call and person."""
