"""Assessment cycles: HR opens one for a population and closes it.

Opening creates an open assessment for each active person of the population
whose role is in a published framework (the others are listed as skipped, with
why). Someone who enters the population while the cycle is open (hired, or
moved into its departments or families) joins it. Closing completes every open assessment that has a submission, with the
ratings it has, and expires the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from careerstream.assessments.adapters.repository import Assessments, Cycles, People
from careerstream.assessments.domain.assessment import Assessment, Cycle
from careerstream.assessments.domain.rules import Rule
from careerstream.assessments.service_layer.results import now, publish_results
from careerstream.contracts.events import assessments as ev
from careerstream.servicekit.auth import Principal
from careerstream.servicekit.uow import UnitOfWork


@dataclass(frozen=True)
class OpenedCycle:
    """What opening a cycle did."""

    cycle_id: str
    assessments: int
    skipped: list[dict[str, str]]
    """Employees of the population who could not be assessed, and why."""


async def open_cycle(
    uow: UnitOfWork,
    who: Principal,
    *,
    name: str,
    population: ev.Population,
    deadline: datetime,
    rule: Rule,
    weights: dict[str, float],
) -> OpenedCycle:
    """Open a cycle and an assessment for everyone of the population who can be assessed."""
    tenant, at = who.tenant_id, now()
    cycle = Cycle.open(
        name=name,
        population=population,
        deadline=deadline,
        rule=rule,
        weights=weights,
        opened_by=who.subject,
        now=at,
    )
    await Cycles(uow, tenant).add(cycle)
    skipped: list[dict[str, str]] = []
    new: list[Assessment] = []
    for r in await People(uow, tenant).population(population):
        if r.role_id is None:
            skipped.append({"employee_id": r.employee_id, "reason": "no role in the HRIS record"})
        elif r.framework_id is None or r.scale_low is None:
            reason = f"role '{r.role_id}' is in no published framework"
            skipped.append({"employee_id": r.employee_id, "reason": reason})
        else:
            role = r._mapping
            new.append(
                Assessment.create(
                    cycle.cycle_id, r.employee_id, role, (r.scale_low, r.scale_high), at
                )
            )
    await Assessments(uow, tenant).add_many(new)
    uow.publish_all(cycle.pull_events(), tenant_id=tenant)
    publish_opened(uow, tenant, new, deadline)
    return OpenedCycle(cycle.cycle_id, len(new), skipped)


def publish_opened(
    uow: UnitOfWork, tenant: str, new: Sequence[Assessment], deadline: datetime
) -> None:
    """Tell who has an assessment to complete (`assessment.opened`, one per assessment)."""
    for a in new:
        uow.publish(
            ev.AssessmentOpened(
                assessment_id=a.assessment_id,
                cycle_id=a.cycle_id,
                employee_id=a.employee_id,
                role_id=a.role_id,
                deadline=deadline,
                opened_at=a.created_at,
            ),
            tenant_id=tenant,
        )


async def join_open_cycles(uow: UnitOfWork, tenant: str, employee_ids: Sequence[str]) -> int:
    """People the HRIS newly places in an open cycle's population — hired after it opened, or
    moved into its departments or families — join it: an assessment each, as at opening.
    Returns how many joined."""
    at = now()
    open_cycles = await Cycles(uow, tenant).open_now(at)
    if not open_cycles or not employee_ids:
        return 0
    assessments, people = Assessments(uow, tenant), People(uow, tenant)
    held = await assessments.held_in([c for c, _, _ in open_cycles], employee_ids)
    new: list[Assessment] = []
    for cycle_id, population, deadline in open_cycles:
        joined = len(new)
        for r in await people.population(population, among=employee_ids):
            if (cycle_id, r.employee_id) in held:
                continue
            if r.role_id is None or r.framework_id is None or r.scale_low is None:
                continue  # not assessable (yet): as at opening, where they would be skipped
            new.append(
                Assessment.create(
                    cycle_id, r.employee_id, r._mapping, (r.scale_low, r.scale_high), at
                )
            )
        publish_opened(uow, tenant, new[joined:], deadline)
    await assessments.add_many(new)
    return len(new)


async def close_cycle(uow: UnitOfWork, who: Principal, cycle_id: str) -> dict[str, int]:
    """Close a cycle: its open assessments complete with what they have, or expire."""
    tenant, at = who.tenant_id, now()
    cycles, assessments = Cycles(uow, tenant), Assessments(uow, tenant)
    cycle = await cycles.get(cycle_id, lock=True)
    cycle.close(at)
    await cycles.save(cycle)
    completed = expired = 0
    for a in await assessments.open_in(cycle_id):
        if a.complete(cycle, now()):
            completed += 1
            await assessments.save(a)
            await publish_results(uow, tenant, a, at)
        else:
            expired += 1
            a.expire()
            await assessments.save(a)
    uow.publish_all(cycle.pull_events(), tenant_id=tenant)
    return {"completed": completed, "expired": expired}


async def progress(uow: UnitOfWork, tenant: str, cycle_id: str) -> tuple[Cycle, dict[str, int]]:
    """A cycle and how many of its assessments are in each status."""
    cycles = Cycles(uow, tenant)
    return await cycles.get(cycle_id), await cycles.progress(cycle_id)


async def cycle_ids(uow: UnitOfWork, tenant: str) -> list[str]:
    """Every cycle's id, the latest opened first."""
    return await Cycles(uow, tenant).ids_newest_first()
