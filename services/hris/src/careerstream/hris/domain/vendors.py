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
                         "supervisorId", "organizationId", "location", "demographics": {...}},
              "termination": {"voluntary": bool, "reason": str}}
SuccessFactors-style
    headers  X-SF-Timestamp: <ISO 8601>
             X-SF-Signature: <base64 HMAC of "<timestamp><body>">
    body     {"messageId", "operation": "INSERT" | "UPDATE" | "TERMINATE", "userId",
              "effectiveStartDate": "YYYY-MM-DD",
              "fields": {"displayName", "jobCode", "jobTitle", "managerId", "department",
                         "location", "demographics": {...}},   (UPDATE: only what changed)
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
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from careerstream.hris.domain.records import Kind, Notification

VENDORS = ("workday", "successfactors", "bamboohr")
MAX_SKEW = timedelta(minutes=5)


class Rejected(ValueError):
    """A request that is not accepted; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _mac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


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
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except ValueError as exc:
        raise Rejected(401, f"timestamp {value!r} is not unix seconds") from exc


def sign(vendor: str, secret: str, body: bytes, now: datetime) -> dict[str, str]:
    """The headers a vendor would send (for tests, the simulator and clients)."""
    if vendor == "workday":
        ts = str(int(now.timestamp()))
        return {
            "X-Workday-Timestamp": ts,
            "X-Workday-Signature": "sha256=" + _mac(secret, ts.encode() + b"." + body).hex(),
        }
    if vendor == "successfactors":
        ts = now.isoformat()
        return {
            "X-SF-Timestamp": ts,
            "X-SF-Signature": base64.b64encode(_mac(secret, ts.encode() + body)).decode(),
        }
    if vendor == "bamboohr":
        ts = str(int(now.timestamp()))
        return {
            "X-BambooHR-Timestamp": ts,
            "X-BambooHR-Signature": _mac(secret, body + ts.encode()).hex(),
        }
    raise Rejected(404, f"unknown vendor '{vendor}'; one of {', '.join(VENDORS)}")


def verify(
    vendor: str, secret: str, headers: Mapping[str, str], body: bytes, now: datetime
) -> None:
    if vendor == "workday":
        ts = _header(headers, "X-Workday-Timestamp")
        given = _header(headers, "X-Workday-Signature").removeprefix("sha256=")
        expected = _mac(secret, ts.encode() + b"." + body).hex()
        when = _unix(ts)
    elif vendor == "successfactors":
        ts = _header(headers, "X-SF-Timestamp")
        given = _header(headers, "X-SF-Signature")
        expected = base64.b64encode(_mac(secret, ts.encode() + body)).decode()
        try:
            when = datetime.fromisoformat(ts)
        except ValueError as exc:
            raise Rejected(401, f"timestamp {ts!r} is not ISO 8601") from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    elif vendor == "bamboohr":
        ts = _header(headers, "X-BambooHR-Timestamp")
        given = _header(headers, "X-BambooHR-Signature")
        expected = _mac(secret, body + ts.encode()).hex()
        when = _unix(ts)
    else:
        raise Rejected(404, f"unknown vendor '{vendor}'; one of {', '.join(VENDORS)}")
    if not hmac.compare_digest(given, expected):
        raise Rejected(401, "the signature does not match the body and the tenant's secret")
    _fresh(when, now)


def _date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise Rejected(422, f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def _need(d: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in d or d[key] in (None, ""):
        raise Rejected(422, f"{where}.{key} is missing")
    return d[key]


def read(vendor: str, body: Any) -> tuple[str | None, list[Notification]]:
    """(delivery id or None, notifications) of a verified request body."""
    if not isinstance(body, dict):
        raise Rejected(422, "the body is not a JSON object")
    if vendor == "workday":
        kind = {"Hire": Kind.HIRE, "Job_Change": Kind.CHANGE, "Termination": Kind.TERMINATE}.get(
            body.get("eventType", "")
        )
        if kind is None:
            raise Rejected(
                422, f"eventType {body.get('eventType')!r} is not Hire, Job_Change or Termination"
            )
        worker = _need(body, "worker", "body")
        profile = worker.get("jobProfile") or {}
        values = {
            "display_name": worker.get("name"),
            "job_code": profile.get("code"),
            "job_title": profile.get("title"),
            "manager_id": worker.get("supervisorId"),
            "department_id": worker.get("organizationId"),
            "location": worker.get("location"),
            "groups": dict(worker.get("demographics") or {}),
        }
        term = body.get("termination") or {}
        return str(_need(body, "eventId", "body")), [
            Notification(
                kind,
                str(_need(worker, "workerId", "worker")),
                _date(_need(body, "effectiveDate", "body"), "effectiveDate"),
                values if kind is not Kind.TERMINATE else {},
                term.get("voluntary"),
                term.get("reason"),
            )
        ]
    if vendor == "successfactors":
        kind = {"INSERT": Kind.HIRE, "UPDATE": Kind.CHANGE, "TERMINATE": Kind.TERMINATE}.get(
            body.get("operation", "")
        )
        if kind is None:
            raise Rejected(
                422, f"operation {body.get('operation')!r} is not INSERT, UPDATE or TERMINATE"
            )
        names = {
            "displayName": "display_name",
            "jobCode": "job_code",
            "jobTitle": "job_title",
            "managerId": "manager_id",
            "department": "department_id",
            "location": "location",
            "demographics": "groups",
        }
        fields = body.get("fields") or {}
        values = {names[k]: v for k, v in fields.items() if k in names}
        return str(_need(body, "messageId", "body")), [
            Notification(
                kind,
                str(_need(body, "userId", "body")),
                _date(_need(body, "effectiveStartDate", "body"), "effectiveStartDate"),
                values,
                body.get("voluntary"),
                body.get("terminationReason"),
            )
        ]
    if vendor == "bamboohr":
        names = {
            "displayName": "display_name",
            "jobCode": "job_code",
            "jobTitle": "job_title",
            "supervisorEid": "manager_id",
            "department": "department_id",
            "location": "location",
        }
        out = []
        for i, e in enumerate(_need(body, "employees", "body")):
            where = f"employees[{i}]"
            kind = {"Created": Kind.HIRE, "Updated": Kind.CHANGE, "Deleted": Kind.TERMINATE}.get(
                e.get("action", "")
            )
            if kind is None:
                raise Rejected(
                    422, f"{where}.action {e.get('action')!r} is not Created, Updated or Deleted"
                )
            fields = e.get("fields") or {}
            changed = e.get("changedFields") or list(fields)
            given: dict[str, Any] = {names[k]: fields.get(k) for k in changed if k in names}
            groups = {
                k.removeprefix("group."): str(v)
                for k, v in fields.items()
                if k.startswith("group.")
            }
            if groups:
                given["groups"] = groups
            out.append(
                Notification(
                    kind,
                    str(_need(e, "id", where)),
                    _date(
                        e.get("effectiveDate") or datetime.now(UTC).date().isoformat(),
                        f"{where}.effectiveDate",
                    ),
                    given,
                    e.get("voluntary"),
                    e.get("reason"),
                )
            )
        return None, out
    raise Rejected(404, f"unknown vendor '{vendor}'")
