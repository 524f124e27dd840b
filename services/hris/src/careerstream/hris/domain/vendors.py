"""Vendor-style webhooks: verifying them and reading them as notifications (no I/O).

Each request is signed with HMAC-SHA256 and the tenant's secret for that
vendor, over the timestamp and the body; a timestamp more than
`MAX_SKEW` away from now is stale. Each delivery has an id (the vendor's event
or message id; for BambooHR-style, which has none, the SHA-256 of the body),
and the gateway refuses a delivery id it has seen (a replay).

Workday-style
    headers  X-Workday-Timestamp: <unix seconds>
             X-Workday-Signature: sha256=<hex HMAC of "<timestamp>.<body>">
    body     {"eventId", "eventType": "Hire" | "Job_Change" | "Termination",
              "effectiveDate": "YYYY-MM-DD",
              "worker": {"workerId", "name", "jobProfile": {"code", "title"},
                         "supervisorId", "organizationId", "location", "email", "demographics": {...}},
              "termination": {"voluntary": bool, "reason": str}}
             or, for the organisation tree, {"eventId", "eventType": "Organization_Change",
              "effectiveDate", "organization": {"id", "name", "superiorId", "managerId",
              "inactive": bool}} (the whole unit: the gateway publishes `orgunit.changed`)
SuccessFactors-style
    headers  X-SF-Timestamp: <ISO 8601>
             X-SF-Signature: <base64 HMAC of "<timestamp><body>">
    body     {"messageId", "operation": "INSERT" | "UPDATE" | "TERMINATE", "userId",
              "effectiveStartDate": "YYYY-MM-DD",
              "fields": {"displayName", "jobCode", "jobTitle", "managerId", "department",
                         "location", "email", "demographics": {...}},   (UPDATE: only what changed)
              "voluntary": bool, "terminationReason": str}
BambooHR-style
    headers  X-BambooHR-Timestamp: <unix seconds>
             X-BambooHR-Signature: <hex HMAC of "<body><timestamp>">
    body     {"employees": [{"id", "action": "Created" | "Updated" | "Deleted",
                             "effectiveDate": "YYYY-MM-DD",
                             "changedFields": ["department", ...],
                             "fields": {"department": "Sales", ...}}]}
             (only the id and the changed fields: the gateway records what changed)
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from careerstream.contracts import webhooks
from careerstream.hris.domain import payloads
from careerstream.hris.domain.orgunits import Unit
from careerstream.hris.domain.records import Kind, Notification, normal_performance
from careerstream.servicekit import clock

VENDORS = webhooks.VENDORS
MAX_SKEW = timedelta(minutes=5)
UNVERIFIED = "the signature does not match the body and the tenant's secret"


class Rejected(ValueError):
    """A request that is not accepted; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name) or headers.get(name.lower())
    if not value:
        raise Rejected(401, f"missing the {name} header")
    return value


def _fresh(ts: datetime, now: datetime) -> None:
    if abs(now - ts) > MAX_SKEW:
        raise Rejected(
            401, f"stale request: signed at {ts.isoformat()}, more than {MAX_SKEW} from now"
        )


def _unix(value: str) -> datetime:
    # At most 12 digits: unix seconds until the year 33658; longer is not a time, just work.
    if not (value.isascii() and value.isdigit() and len(value) <= 12):
        raise Rejected(401, f"timestamp {value[:40]!r} is not unix seconds")
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise Rejected(401, f"timestamp {value!r} is not unix seconds") from exc


def sign(vendor: str, secret: str, body: bytes, now: datetime) -> dict[str, str]:
    """The headers a vendor would send (`careerstream.contracts.webhooks`, for clients)."""
    if vendor not in VENDORS:
        raise Rejected(404, f"unknown vendor '{vendor}'; one of {', '.join(VENDORS)}")
    return webhooks.sign(vendor, secret, body, now)


def verify(
    vendor: str, secret: str, headers: Mapping[str, str], body: bytes, now: datetime
) -> None:
    if vendor == "workday":
        ts = _header(headers, "X-Workday-Timestamp")
        given = _header(headers, "X-Workday-Signature").removeprefix("sha256=")
        expected = webhooks.mac(secret, ts.encode() + b"." + body).hex()
        when = _unix(ts)
    elif vendor == "successfactors":
        ts = _header(headers, "X-SF-Timestamp")
        given = _header(headers, "X-SF-Signature")
        expected = base64.b64encode(webhooks.mac(secret, ts.encode() + body)).decode()
        try:
            when = datetime.fromisoformat(ts[:64])
        except ValueError as exc:
            raise Rejected(401, f"timestamp {ts!r} is not ISO 8601") from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    elif vendor == "bamboohr":
        ts = _header(headers, "X-BambooHR-Timestamp")
        given = _header(headers, "X-BambooHR-Signature")
        expected = webhooks.mac(secret, body + ts.encode()).hex()
        when = _unix(ts)
    else:
        raise Rejected(404, f"unknown vendor '{vendor}'; one of {', '.join(VENDORS)}")
    if not given.isascii() or not hmac.compare_digest(given, expected):
        raise Rejected(401, UNVERIFIED)
    _fresh(when, now)


def read(vendor: str, body: Any) -> tuple[str | None, list[Notification]]:
    """(delivery id or None, notifications about people) of a verified request body."""
    delivery, notes = read_all(vendor, body)
    return delivery, [n for n in notes if isinstance(n, Notification)]


def read_all(vendor: str, body: Any) -> tuple[str | None, list[Notification | Unit]]:
    """(delivery id or None, notifications) of a verified request body.

    The body is validated against the vendor's payload model (`payloads`); every problem
    is reported as `<path>: <message>` in one 422.
    """
    if not isinstance(body, dict):
        raise Rejected(422, "body: must be a JSON object")
    try:
        if vendor == "workday":
            return _workday(payloads.WorkdayEvent.model_validate(body))
        if vendor == "successfactors":
            return _successfactors(payloads.SuccessFactorsMessage.model_validate(body))
        if vendor == "bamboohr":
            return None, _bamboohr(payloads.BambooBatch.model_validate(body))
    except ValidationError as exc:
        raise Rejected(422, "; ".join(payloads.problems(exc)[:10])) from exc
    raise Rejected(404, f"unknown vendor '{vendor}'")


def _groups(given: dict[str, str | None] | None) -> dict[str, str]:
    return {k: v for k, v in (given or {}).items() if v is not None}


def _workday(e: payloads.WorkdayEvent) -> tuple[str, list[Notification | Unit]]:
    if e.organization is not None and e.eventType == "Organization_Change":
        o = e.organization
        return e.eventId, [Unit(o.id, o.name.strip(), o.superiorId, o.managerId, not o.inactive)]
    assert e.worker is not None  # the payload model requires it for the other event types
    kind = {"Hire": Kind.HIRE, "Job_Change": Kind.CHANGE, "Termination": Kind.TERMINATE}[
        str(e.eventType)
    ]
    w = e.worker
    profile = w.jobProfile or payloads.WorkdayJobProfile()
    values: dict[str, Any] = {
        "display_name": w.name,
        "job_code": profile.code,
        "job_title": profile.title,
        "manager_id": w.supervisorId,
        "department_id": w.organizationId,
        "location": w.location,
        "work_email": w.email,
        "performance": w.performanceRating,
        "groups": _groups(w.demographics),
    }
    term = e.termination or payloads.WorkdayTermination()
    return e.eventId, [
        Notification(
            kind,
            w.workerId,
            e.effectiveDate,
            values if kind is not Kind.TERMINATE else {},
            term.voluntary,
            term.reason,
        )
    ]


_SF_NAMES = {
    "displayName": "display_name",
    "jobCode": "job_code",
    "jobTitle": "job_title",
    "managerId": "manager_id",
    "department": "department_id",
    "location": "location",
    "email": "work_email",
    "performance": "performance",
    "demographics": "groups",
}


def _successfactors(m: payloads.SuccessFactorsMessage) -> tuple[str, list[Notification | Unit]]:
    kind = {"INSERT": Kind.HIRE, "UPDATE": Kind.CHANGE, "TERMINATE": Kind.TERMINATE}[m.operation]
    values: dict[str, Any] = {}
    if m.fields is not None:
        for name in m.fields.model_fields_set:  # only what the message gives
            value = getattr(m.fields, name)
            values[_SF_NAMES[name]] = _groups(value) if name == "demographics" else value
    return m.messageId, [
        Notification(kind, m.userId, m.effectiveStartDate, values, m.voluntary, m.terminationReason)
    ]


_BAMBOO_NAMES = {
    "displayName": "display_name",
    "jobCode": "job_code",
    "jobTitle": "job_title",
    "supervisorEid": "manager_id",
    "department": "department_id",
    "location": "location",
    "workEmail": "work_email",
    "performance": "performance",
}


def _bamboohr(batch: payloads.BambooBatch) -> list[Notification | Unit]:
    out: list[Notification | Unit] = []
    today = clock.now().date()
    for i, e in enumerate(batch.employees):
        kind = {"Created": Kind.HIRE, "Updated": Kind.CHANGE, "Deleted": Kind.TERMINATE}[e.action]
        fields = e.fields or {}
        changed = e.changedFields if e.changedFields is not None else list(fields)
        given: dict[str, Any] = {
            _BAMBOO_NAMES[k]: fields.get(k) for k in changed if k in _BAMBOO_NAMES
        }
        groups = {
            k.removeprefix("group."): v
            for k, v in fields.items()
            if k.startswith("group.") and v is not None
        }
        if groups:
            given["groups"] = groups
        if "performance" in given:
            try:
                given["performance"] = normal_performance(given["performance"])
            except ValueError as exc:
                raise Rejected(422, f"employees[{i}].fields.performance: {exc}") from exc
        out.append(Notification(kind, e.id, e.effectiveDate or today, given, e.voluntary, e.reason))
    return out
