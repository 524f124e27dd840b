"""The gateway's view of a person, what vendors tell it, and what changed (no I/O).

Vendors speak in their own shapes (domain/vendors.py); all become
`Notification`s: a hire, a change (possibly of a few fields only) or a
termination, effective on a date. The gateway keeps the full current record
of each person, so a notification with only an id and the changed fields is
merged into it, and the canonical event lists exactly what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

FIELDS = (
    "display_name",
    "job_code",
    "job_title",
    "manager_id",
    "department_id",
    "location",
    "groups",
    "work_email",
    "performance",
)


class Kind(StrEnum):
    HIRE = "hire"
    CHANGE = "change"
    TERMINATE = "terminate"


@dataclass(frozen=True)
class Record:
    employee_id: str
    display_name: str | None = None
    job_code: str | None = None
    job_title: str | None = None
    manager_id: str | None = None
    department_id: str | None = None
    location: str | None = None
    groups: dict[str, str] = field(default_factory=dict)
    work_email: str | None = None
    performance: str | None = None
    """low, medium or high (`normal_performance`)."""

    def merged(self, values: dict[str, Any]) -> Record:
        known = {k: v for k, v in values.items() if k in FIELDS}
        if "groups" in known:
            known["groups"] = {**self.groups, **(known["groups"] or {})}
        return replace(self, **known)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in FIELDS}


@dataclass(frozen=True)
class Notification:
    """What a vendor said about one person."""

    kind: Kind
    employee_id: str
    effective_date: date
    values: dict[str, Any] = field(default_factory=dict)
    """The fields it gives (all of them for a hire; maybe only the changed ones for a change)."""
    voluntary: bool | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "employee_id": self.employee_id,
            "effective_date": self.effective_date.isoformat(),
            "values": self.values,
            "voluntary": self.voluntary,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Notification:
        return cls(
            Kind(d["kind"]),
            d["employee_id"],
            date.fromisoformat(d["effective_date"]),
            dict(d.get("values") or {}),
            d.get("voluntary"),
            d.get("reason"),
        )


def changes(old: Record, new: Record) -> list[str]:
    """The fields whose value differs."""
    return [f for f in FIELDS if getattr(old, f) != getattr(new, f)]


# Canonical `EmploymentDetails` field for each record field (role_id comes from the job code).
DETAIL_OF = {
    "job_code": "job_code",
    "job_title": "job_title",
    "manager_id": "manager_id",
    "department_id": "department_id",
    "location": "location",
    "groups": "group_attributes",
    "work_email": "work_email",
    "performance": "performance",
}


PERFORMANCE_WORDS = {"low": "low", "medium": "medium", "high": "high"}
PERFORMANCE_SCALE = {"1": "low", "2": "low", "3": "medium", "4": "high", "5": "high"}


def normal_performance(value: object) -> str | None:
    """A performance rating as the platform keeps it: low, medium or high. Vendors say it in
    words (any case) or on a 1-5 scale (1-2 low, 3 medium, 4-5 high). ValueError otherwise."""
    if value is None or value == "":
        return None
    text = str(value).strip().lower()
    found = PERFORMANCE_WORDS.get(text) or PERFORMANCE_SCALE.get(text.removesuffix(".0"))
    if found is None:
        raise ValueError(f"{str(value)[:40]!r} is not low, medium, high or 1-5")
    return found
