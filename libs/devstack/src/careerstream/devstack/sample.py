"""Test data every service's tests share: a small framework, HRIS events, tokens, waiting.

Builders of canonical events (what the frameworks service and the HRIS would
publish), so each service's tests feed it through Kafka like production does.
"""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from careerstream.contracts.events.assessments import (
    AssessmentCompleted,
    CalibratedLevel,
    CompetencyGap,
    GapReference,
    Rater,
    RaterKind,
    SkillgapIdentified,
)
from careerstream.contracts.events.frameworks import (
    Competency,
    CompetencyCategory,
    FrameworkPublished,
    JobFamily,
    Level,
    LevelDescriptor,
    ProficiencyScale,
    Role,
    RoleRequirement,
    ScaleStep,
    Track,
    TrackKind,
)
from careerstream.contracts.events.hris import (
    ChangeReason,
    EmployeeChanged,
    EmployeeHired,
    EmployeeTerminated,
    EmploymentDetails,
)
from careerstream.devstack.testing import RunningService
from careerstream.servicekit.auth import AuthSettings, mint_token

COMPETENCIES = ["craft", "design", "collaboration", "ownership", "leadership"]


def framework(version: int = 1, senior_craft: int = 4) -> FrameworkPublished:
    def role(rid: str, level: str, title: str, reqs: dict[str, int]) -> Role:
        return Role(
            id=rid,
            family_id="eng",
            level_id=level,
            title=title,
            requirements=[RoleRequirement(competency_id=c, level=lv) for c, lv in reqs.items()],
        )

    return FrameworkPublished(
        framework_id="fw",
        version=version,
        name="Test framework",
        published_at=datetime.now(UTC),
        scale=ProficiencyScale(steps=[ScaleStep(level=i, label=f"L{i}") for i in range(1, 6)]),
        families=[
            JobFamily(
                id="eng",
                name="Engineering",
                tracks=[
                    Track(id="ic", name="IC", kind=TrackKind.IC),
                    Track(id="mgmt", name="Management", kind=TrackKind.MANAGEMENT),
                ],
                levels=[
                    Level(id="engineer", name="Engineer", rank=1, track_ids=["ic", "mgmt"]),
                    Level(id="senior", name="Senior", rank=2, track_ids=["ic"]),
                    Level(id="lead", name="Lead", rank=2, track_ids=["mgmt"]),
                ],
            )
        ],
        competencies=[
            Competency(
                id=c,
                name=c.title(),
                category=CompetencyCategory.TECHNICAL,
                descriptors=[LevelDescriptor(level=i, description=f"{c} {i}") for i in range(1, 6)],
            )
            for c in COMPETENCIES
        ],
        roles=[
            role(
                "eng.engineer",
                "engineer",
                "Engineer",
                {"craft": 2, "design": 2, "collaboration": 2, "ownership": 2},
            ),
            role(
                "eng.senior",
                "senior",
                "Senior",
                {"craft": senior_craft, "design": 3, "collaboration": 3, "ownership": 3},
            ),
            role(
                "eng.lead",
                "lead",
                "Lead",
                {"craft": 3, "collaboration": 3, "ownership": 3, "leadership": 3},
            ),
        ],
    )


_clock = [datetime.now(UTC)]


def _recorded() -> datetime:
    _clock[0] += timedelta(milliseconds=1)
    return _clock[0]


def hired(
    emp: str,
    role: str | None,
    manager: str | None,
    dept: str = "D1",
    groups: dict[str, str] | None = None,
    location: str | None = None,
) -> EmployeeHired:
    return EmployeeHired(
        employee_id=emp,
        effective_date=date(2026, 1, 1),
        recorded_at=_recorded(),
        display_name=emp,
        details=EmploymentDetails(
            role_id=role,
            manager_id=manager,
            department_id=dept,
            group_attributes=groups,
            location=location,
        ),
    )


def changed(emp: str, **fields: Any) -> EmployeeChanged:
    return EmployeeChanged(
        employee_id=emp,
        effective_date=date(2026, 6, 1),
        recorded_at=fields.pop("recorded_at", None) or _recorded(),
        changed_fields=list(fields),
        details=EmploymentDetails(**fields),
        reason=ChangeReason.OTHER,
    )


def terminated(emp: str) -> EmployeeTerminated:
    return EmployeeTerminated(
        employee_id=emp, effective_date=date(2026, 6, 30), recorded_at=_recorded(), voluntary=True
    )


def auth(tenant: str, subject: str, *roles: str) -> dict[str, str]:
    token = mint_token(
        AuthSettings(), tenant=tenant, subject=subject, roles=list(roles or ("employee",))
    )
    return {"Authorization": f"Bearer {token}"}


async def wait_until(
    svc: RunningService, sql: str, *args: Any, want: Any, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = await svc.scalar(sql, *args)
        if got == want:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{sql} {args}: got {got!r}, want {want!r}")


def ratings(level: int | dict[str, int], competencies: list[str]) -> dict[str, Any]:
    levels = level if isinstance(level, dict) else {c: level for c in competencies}
    return {
        "ratings": [
            {"competency_id": c, "level": levels[c], "evidence": f"saw {c}"} for c in competencies
        ]
    }


def in_a_week() -> str:
    return (datetime.now(UTC) + timedelta(days=7)).isoformat()


def gaps(
    employee: str,
    role_id: str,
    levels: dict[str, tuple[int, int]],
    *,
    reference: str = "current",
    assessment_id: str = "asm-1",
    at: datetime | None = None,
) -> SkillgapIdentified:
    """`levels`: competency -> (current, required)."""
    items = [
        CompetencyGap(competency_id=c, required=req, current=cur, gap=req - cur)
        for c, (cur, req) in sorted(levels.items())
    ]
    need = sum(g.required for g in items) or 1
    return SkillgapIdentified(
        employee_id=employee,
        assessment_id=assessment_id,
        reference=GapReference(reference),
        role_id=role_id,
        gaps=items,
        readiness=round(sum(min(g.current, g.required) for g in items) / need, 4),
        ready=all(g.gap <= 0 for g in items),
        identified_at=at or datetime.now(UTC),
    )


def completed(
    employee: str,
    role_id: str,
    levels: dict[str, int],
    *,
    assessment_id: str | None = None,
    at: datetime | None = None,
) -> AssessmentCompleted:
    """An assessment.completed with these calibrated levels (manager rule)."""
    return AssessmentCompleted(
        assessment_id=assessment_id or f"asm-{employee}",
        cycle_id="cyc-1",
        employee_id=employee,
        role_id=role_id,
        framework_id="fw",
        framework_version=1,
        levels=[CalibratedLevel(competency_id=c, level=lv) for c, lv in sorted(levels.items())],
        raters=[Rater(rater_id=employee, kind=RaterKind.SELF)],
        completed_at=at or datetime.now(UTC),
    )


async def import_directory(client: Any, tenant: str, csv: str, *, timeout: float = 120.0) -> None:
    """Send a full HRIS export (CSV) to the gateway `client` talks to, as HR, and wait until
    the import is done (AssertionError when it is not within `timeout`)."""
    hr = {**auth(tenant, "HR", "hr_admin"), "Content-Type": "text/csv"}
    started = await client.post("/v1/imports", content=csv, headers=hr)
    assert started.status_code == 202, started.text
    import_id = started.json()["import_id"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = (await client.get(f"/v1/imports/{import_id}", headers=hr)).json()
        if status["status"] == "done":
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"the directory import {import_id} did not finish within {timeout:.0f}s")


ESCO_SAMPLE = Path(__file__).parent / "esco_sample"
"""A small library in ESCO's CSV layout (32 skills, 5 groups, 2 occupations, relations, the
hierarchy; English and German), written for this project: tests and the simulation import it."""


def esco_zip(edit: dict[str, Callable[[str], str]] | None = None) -> bytes:
    """The sample as ESCO ships its download (a ZIP), each file passed through
    `edit[name]` if given."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(ESCO_SAMPLE.glob("*.csv")):
            text = path.read_text()
            if edit and path.name in edit:
                text = edit[path.name](text)
            z.writestr(f"ESCO dataset - v1.2.0 - classification - csv/{path.name}", text)
    return buf.getvalue()
