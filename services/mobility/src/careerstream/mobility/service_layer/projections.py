"""What the mobility service keeps from other services' events.

- framework.published: roles (family, level rank, requirements) and which
  competencies cover which skills of the library; an older version arriving
  late is ignored.
- HRIS people: the directory (servicekit.people); a person's profile follows
  their role and whether they are active.
- assessment.completed: the profile's levels become the calibrated ones of the
  latest completed assessment (an older assessment arriving late is ignored).

Every profile change takes the next `profile_seq`, so each process's matching
index reloads only what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.assessments import AssessmentCompleted
from careerstream.contracts.events.frameworks import FrameworkPublished
from careerstream.mobility.adapters.orm import employees
from careerstream.mobility.adapters.profiles import (
    assessed_at,
    held_role_version,
    replace_coverage,
    replace_roles,
    upsert_profile,
    upsert_profiles,
)
from careerstream.mobility.service_layer import succession
from careerstream.servicekit.people import Change, PeopleProjection
from careerstream.servicekit.uow import UnitOfWork


async def on_framework_published(uow: UnitOfWork, event: Envelope, p: FrameworkPublished) -> None:
    """Hold the roles of a framework's latest version."""
    tenant = event.tenantid
    held = await held_role_version(uow, tenant, p.framework_id)
    if held is not None and held >= p.version:
        return
    levels = {(f.id, lv.id): lv for f in p.families for lv in f.levels}
    high = max(st.level for st in p.scale.steps)
    rows = [
        {
            "tenant_id": tenant,
            "role_id": r.id,
            "framework_id": p.framework_id,
            "framework_version": p.version,
            "family_id": r.family_id,
            "level_id": r.level_id,
            "rank": levels[(r.family_id, r.level_id)].rank
            if (r.family_id, r.level_id) in levels
            else 0,
            "title": r.title,
            "requirements": {q.competency_id: q.level for q in r.requirements},
            "scale_high": high,
        }
        for r in p.roles
    ]
    await replace_roles(uow, tenant, p.framework_id, rows)
    covering: dict[str, list[str]] = {}
    for comp in p.competencies:
        for link in comp.skills:
            covering.setdefault(link.uri, []).append(comp.id)
    await replace_coverage(
        uow,
        tenant,
        p.framework_id,
        [
            {
                "tenant_id": tenant,
                "framework_id": p.framework_id,
                "skill_uri": uri,
                "framework_version": p.version,
                "competency_ids": sorted(ids),
            }
            for uri, ids in sorted(covering.items())
        ],
    )


_FOLLOWED = ("role_id", "active", "location")
"""What of the directory the match reads, copied into the profile (whose sequence number
tells each process's index what to reload)."""


async def _follow(
    uow: UnitOfWork, tenant: str, employee_id: str, changed: dict[str, Any], before: Any
) -> None:
    """A person's role, activity and place of work follow into their profile."""
    values = {k: changed[k] for k in _FOLLOWED if k in changed}
    if values:
        await upsert_profile(uow, tenant, employee_id, **values)
    if "role_id" in values or "active" in values:
        # A leaver leaves every slate; a new role changes who holds a critical role.
        await succession.recount_all(uow, tenant)


async def _follow_many(uow: UnitOfWork, changes: Sequence[Change]) -> None:
    """A batch's role, activity and place changes into the profiles: one statement per shape."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for c in changes:  # in order: a person's later change wins
        values: dict[str, Any] = {k: c.changed[k] for k in _FOLLOWED if k in c.changed}
        if values:
            latest.setdefault((c.tenant, c.employee_id), {}).update(values)
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for (tenant, emp), values in latest.items():
        shapes.setdefault(tuple(sorted(values)), []).append(
            {"tenant_id": tenant, "employee_id": emp, **values}
        )
    for keys, rows in shapes.items():
        await upsert_profiles(uow, keys, rows)
    moved = {t for (t, _), v in latest.items() if "role_id" in v or "active" in v}
    for tenant in sorted(moved):
        await succession.recount_all(uow, tenant)  # once per batch, only with critical roles


people = PeopleProjection(employees, on_change=_follow, on_changes=_follow_many)


async def on_assessment_completed(uow: UnitOfWork, event: Envelope, p: AssessmentCompleted) -> None:
    """A person's latest calibrated levels become their profile's."""
    tenant = event.tenantid
    held = await assessed_at(uow, tenant, p.employee_id)
    if held is not None and held > p.completed_at:
        return
    await upsert_profile(
        uow,
        tenant,
        p.employee_id,
        levels={lv.competency_id: lv.level for lv in p.levels},
        assessed_at=p.completed_at,
    )
    # New levels may move someone onto (or up) a critical role's bench.
    await succession.recount_all(uow, tenant)
