"""What a completed assessment tells: the person's latest levels, and their gaps.

Completion records the calibrated levels as the employee's latest and
publishes `assessment.completed` and `skillgap.identified` against the role
they hold and, when one is declared, the role they aim for. When the HRIS gives
an assessed person another role, their gaps against it are published at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from careerstream.assessments.adapters.orm import employees
from careerstream.assessments.adapters.repository import Assessments, People
from careerstream.assessments.domain.assessment import Assessment, gaps_event
from careerstream.assessments.domain.rules import GapAnalysis, analyse
from careerstream.contracts.events import assessments as ev
from careerstream.servicekit import clock, relation
from careerstream.servicekit.auth import Principal
from careerstream.servicekit.domain import Invalid, NotFound
from careerstream.servicekit.uow import UnitOfWork


def now() -> datetime:
    """The current moment, in UTC."""
    return clock.now()  # business time (servicekit.clock)


async def require_read_person(uow: UnitOfWork, who: Principal, employee_id: str) -> None:
    """404 unless the caller may see the person (themselves, their line, or HR)."""
    if not (await relation.relation_to(uow, employees, who, employee_id)).sees:
        # Not 403: whether the person exists is not the caller's business either.
        raise NotFound(f"no employee '{employee_id}' among the people you may see")


async def publish_results(uow: UnitOfWork, tenant: str, a: Assessment, at: datetime) -> None:
    """Record the levels as the person's latest and publish the completion and the gaps."""
    people = People(uow, tenant)
    person = await people.person(a.employee_id)
    current = await people.role(person.role_id)
    await people.record_levels(a, person, current, at)
    uow.publish(a.completed_event(), tenant_id=tenant)
    latest = await people.latest_levels(a.employee_id)
    references: list[tuple[ev.GapReference, str, dict[str, int]]] = []
    if current is not None:
        references.append((ev.GapReference.CURRENT, current.role_id, current.requirements))
    if person.target_role_id:
        target = await people.requirements(person.target_role_id)
        if target is not None:
            references.append((ev.GapReference.TARGET, person.target_role_id, target))
    for reference, role_id, required in references:
        analysis = analyse(role_id, required, latest)
        uow.publish(
            gaps_event(a.employee_id, a.assessment_id, reference, analysis, at), tenant_id=tenant
        )


async def gaps_after_move(uow: UnitOfWork, tenant: str, employee_id: str, role: Any) -> None:
    """Someone the HRIS gave another role: their gaps against it, from their latest levels
    (`skillgap.identified`, reference `current`), when they have been assessed."""
    latest_assessment = await Assessments(uow, tenant).newest_completed(employee_id)
    if latest_assessment is None:
        return  # never assessed: the first assessment against the new role tells
    analysis = analyse(
        role.role_id, role.requirements, await People(uow, tenant).latest_levels(employee_id)
    )
    event = gaps_event(employee_id, latest_assessment, ev.GapReference.CURRENT, analysis, now())
    uow.publish(event, tenant_id=tenant)


async def set_target_role(
    uow: UnitOfWork, who: Principal, employee_id: str, role_id: str | None
) -> GapAnalysis | None:
    """Declare the role a person aims for; their gaps against it are published at once when
    they have been assessed."""
    tenant = who.tenant_id
    await require_read_person(uow, who, employee_id)
    people = People(uow, tenant)
    required = None
    if role_id is not None:
        required = await people.requirements(role_id)
        if required is None:
            raise Invalid([f"role_id: '{role_id}' is not a role of any published framework"])
    await people.set_target_role(employee_id, role_id)
    if role_id is None or required is None:
        return None
    latest_assessment = await Assessments(uow, tenant).newest_completed(employee_id)
    analysis = analyse(role_id, required, await people.latest_levels(employee_id))
    if latest_assessment is not None:
        event = gaps_event(employee_id, latest_assessment, ev.GapReference.TARGET, analysis, now())
        uow.publish(event, tenant_id=tenant)
    return analysis


async def gaps(
    uow: UnitOfWork, who: Principal, employee_id: str, role_ids: Sequence[str]
) -> dict[str, Any]:
    """Gap analyses of a person against their current role, their target, and any roles asked for."""
    tenant = who.tenant_id
    await require_read_person(uow, who, employee_id)
    people = People(uow, tenant)
    person = await people.person(employee_id)
    if person is None:
        raise NotFound(f"no employee '{employee_id}'")
    latest = await people.latest_levels(employee_id)
    out: dict[str, Any] = {"employee_id": employee_id, "analyses": []}
    wanted: list[tuple[str, str]] = []
    if person.role_id:
        wanted.append(("current", person.role_id))
    if person.target_role_id:
        wanted.append(("target", person.target_role_id))
    wanted += [("asked", r) for r in role_ids]
    for reference, role_id in wanted:
        required = await people.requirements(role_id)
        if required is None:
            if reference == "asked":
                raise Invalid([f"role_id: '{role_id}' is not a role of any published framework"])
            continue
        a = analyse(role_id, required, latest)
        out["analyses"].append(
            {
                "reference": reference,
                "role_id": role_id,
                "readiness": a.readiness,
                "ready": a.ready,
                "gaps": [
                    {
                        "competency_id": g.competency_id,
                        "required": g.required,
                        "current": g.current,
                        "gap": g.gap,
                    }
                    for g in a.gaps
                ],
            }
        )
    return out
