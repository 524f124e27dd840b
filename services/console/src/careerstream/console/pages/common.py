"""What several pages share: the signed-in person's role in the framework, labels, form reading."""

from __future__ import annotations

from typing import Any

from careerstream.console.backend import ApiError, Backend


def label(identifier: str | None) -> str:
    """A readable label from an id: `engineering.senior-engineer` -> `Senior engineer`."""
    if not identifier:
        return "—"
    last = identifier.split(".")[-1].replace("-", " ").replace("_", " ")
    return last[:1].upper() + last[1:]


async def current_framework(b: Backend) -> tuple[str, int] | None:
    """The framework (id, version) in use: the tenant's published one, newest first."""
    frameworks = await b.get("frameworks", "/v1/frameworks")
    current = [f for f in frameworks if f.get("current_version")]
    if not current:
        return None
    current.sort(key=lambda f: str(f.get("framework_id")))
    f = current[0]
    return str(f["framework_id"]), int(f["current_version"])


async def role_of(b: Backend, employee_id: str) -> str | None:
    """A person's framework role, as their gaps (or, for themselves, the HRIS record) say."""
    gaps = await b.maybe("assessments", f"/v1/employees/{employee_id}/gaps")
    for a in (gaps or {}).get("analyses", []):
        if a.get("reference") == "current":
            return str(a["role_id"])
    if employee_id == b.person.employee_id:
        record = await b.maybe("hris", f"/v1/people/{employee_id}")
        if record and record.get("role_id"):
            return str(record["role_id"])
    return None


async def name_of(b: Backend, employee_id: str) -> str:
    """A person's display name from the directory (as far as the signed-in person may list
    people), or their id. Asked by id: a director's line is far more than a page."""
    try:
        rows = await b.get("hris", "/v1/people", q=employee_id, limit=50)
    except ApiError:
        return employee_id
    for r in rows:
        if r["employee_id"] == employee_id:
            return str(r.get("display_name") or employee_id)
    return employee_id


def form_value(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def number(value: str) -> int | str:
    """A form's integer field as a number, or as typed when it is not one: the API then says
    which field is wrong and why, in the words the page shows beside it."""
    try:
        return int(value)
    except ValueError:
        return value
