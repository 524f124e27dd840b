"""The vendor payloads as typed models: a malformed body is a 422 naming the field, never a 500.

Vendors send ids as strings or numbers, leave out what did not change and add fields of
their own; the models accept exactly that (ids as text or integers, unknown fields
ignored) and nothing looser: a `worker` that is a string, `demographics` as a list or an
`eventId` that is a list are refused with the path of the field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from careerstream.hris.domain.records import normal_performance

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def _id_text(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    raise ValueError("must be a string or an integer")


def _scalar_text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    raise ValueError("must be a string, a number or a boolean")


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date (YYYY-MM-DD)")
    try:
        day = date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ValueError(f"{value[:40]!r} is not a date (YYYY-MM-DD)") from exc
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day.isoformat()} is outside {FIRST_DAY} .. {LAST_DAY}")
    return day


def _performance(value: Any) -> Any:
    if (value is not None and not isinstance(value, str | int | float)) or isinstance(value, bool):
        raise ValueError("must be low, medium, high or 1-5")
    return normal_performance(value)


Id = Annotated[str, BeforeValidator(_id_text), StringConstraints(min_length=1, max_length=128)]
Performance = Annotated[str | None, BeforeValidator(_performance)]
"""low, medium or high; vendors may say it in words or on a 1-5 scale."""
Text = Annotated[str | None, BeforeValidator(_scalar_text), StringConstraints(max_length=500)]
Day = Annotated[date, BeforeValidator(_day)]
Groups = dict[Annotated[str, StringConstraints(max_length=64)], Text]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class WorkdayJobProfile(_Payload):
    code: Text = None
    title: Text = None


OptionalId = Annotated[Id | None, BeforeValidator(lambda v: v if v != "" else None)]


class WorkdayWorker(_Payload):
    workerId: Id
    name: Text = None
    jobProfile: WorkdayJobProfile | None = None
    supervisorId: OptionalId = None
    organizationId: Text = None
    location: Text = None
    email: Text = None
    demographics: Groups | None = None
    performanceRating: Performance = None


class WorkdayTermination(_Payload):
    voluntary: bool | None = None
    reason: Text = None


class WorkdayOrganization(_Payload):
    """A supervisory organisation (an org unit), as `Organization_Change` carries it whole."""

    id: Id
    name: Annotated[
        str, BeforeValidator(_scalar_text), StringConstraints(min_length=1, max_length=200)
    ]
    superiorId: OptionalId = None
    managerId: OptionalId = None
    inactive: bool = False


class WorkdayEvent(_Payload):
    eventId: Id
    eventType: Literal["Hire", "Job_Change", "Termination", "Organization_Change"]
    effectiveDate: Day
    worker: WorkdayWorker | None = None
    organization: WorkdayOrganization | None = None
    termination: WorkdayTermination | None = None

    @model_validator(mode="after")
    def _about_someone(self) -> WorkdayEvent:
        if self.eventType == "Organization_Change":
            if self.organization is None:
                raise ValueError("organization: an Organization_Change carries the organization")
        elif self.worker is None:
            raise ValueError(f"worker: a {self.eventType} carries the worker")
        return self


class SuccessFactorsFields(_Payload):
    displayName: Text = None
    jobCode: Text = None
    jobTitle: Text = None
    managerId: Text = None
    department: Text = None
    location: Text = None
    email: Text = None
    demographics: Groups | None = None
    performance: Performance = None


class SuccessFactorsMessage(_Payload):
    messageId: Id
    operation: Literal["INSERT", "UPDATE", "TERMINATE"]
    userId: Id
    effectiveStartDate: Day
    fields: SuccessFactorsFields | None = None
    voluntary: bool | None = None
    terminationReason: Text = None


class BambooEmployee(_Payload):
    id: Id
    action: Literal["Created", "Updated", "Deleted"]
    effectiveDate: Day | None = None
    changedFields: list[Annotated[str, StringConstraints(max_length=64)]] | None = None
    fields: dict[Annotated[str, StringConstraints(max_length=64)], Text] | None = None
    voluntary: bool | None = None
    reason: Text = None


class BambooBatch(_Payload):
    employees: list[BambooEmployee] = Field(min_length=1, max_length=1000)


def problems(exc: ValidationError) -> list[str]:
    """Each problem of a payload as `<path>: <message>`."""
    out = []
    for e in exc.errors():
        path = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in e["loc"])
        out.append(f"{path.replace('.[', '[') or 'body'}: {e['msg']}")
    return out
