"""Rating an assessment: who may see it, peers, submissions, completion and calibration.

- hr_admin reads every assessment of the tenant and calibrates;
- the employee rates themselves; their current manager rates them; nominated
  peers rate what they were asked; managers further up read;
- anyone else gets 404: they may not know the assessment exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from careerstream.assessments.adapters.orm import employees
from careerstream.assessments.adapters.repository import Assessments, Cycles, People
from careerstream.assessments.domain.assessment import Assessment
from careerstream.assessments.domain.rules import RaterKind, RatingIn, rater_kind
from careerstream.assessments.service_layer.results import now, publish_results
from careerstream.contracts.events import assessments as ev
from careerstream.servicekit import relation
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.domain import Forbidden, NotFound
from careerstream.servicekit.uow import UnitOfWork


async def visible_assessment(
    uow: UnitOfWork, who: Principal, assessment_id: str, *, lock: bool = False
) -> tuple[Assessment, str]:
    """The assessment and how the caller sees it: hr, manager (chain), self or peer; else 404."""
    a = await Assessments(uow, who.tenant_id).get(assessment_id, lock=lock)
    if who.has(Role.HR_ADMIN):
        return a, "hr"
    if who.subject == a.employee_id:
        return a, "self"
    if await relation.manages(uow, employees, who.tenant_id, who.subject, a.employee_id):
        return a, "manager"
    if who.subject in a.peers:
        return a, "peer"
    raise NotFound(f"no assessment '{assessment_id}' among those you take part in")


async def nominate_peers(
    uow: UnitOfWork, who: Principal, assessment_id: str, peer_ids: Sequence[str]
) -> list[str]:
    """The employee, their manager or HR nominates peers to rate; returns every peer."""
    a, seen_as = await visible_assessment(uow, who, assessment_id, lock=True)
    people = People(uow, who.tenant_id)
    manager = await people.manager_of(a.employee_id)
    if seen_as not in ("self", "hr") and who.subject != manager:
        raise Forbidden("peers are nominated by the employee, their manager or HR")
    before = set(a.peers)
    peers = a.add_peers(peer_ids, manager, await people.active_among(peer_ids))
    await Assessments(uow, who.tenant_id).save(a)
    added = [p for p in peers if p not in before]
    if added:
        uow.publish(
            ev.PeersNominated(
                assessment_id=a.assessment_id,
                cycle_id=a.cycle_id,
                employee_id=a.employee_id,
                peer_ids=added,
                nominated_by=who.subject,
                nominated_at=now(),
            ),
            tenant_id=who.tenant_id,
        )
    return peers


async def submit(
    uow: UnitOfWork, who: Principal, assessment_id: str, ratings: Sequence[RatingIn]
) -> tuple[RaterKind, bool]:
    """Record the caller's ratings; returns their rater kind and whether the assessment completed."""
    tenant = who.tenant_id
    assessments = Assessments(uow, tenant)
    a = await assessments.get(assessment_id, lock=True)
    manager = await People(uow, tenant).manager_of(a.employee_id)
    kind = rater_kind(who.subject, a.employee_id, manager, a.peers)
    if kind is None:
        if who.has(Role.HR_ADMIN) or await relation.manages(
            uow, employees, tenant, who.subject, a.employee_id
        ):
            raise Forbidden(
                "you are not a rater of this assessment (only the employee, their current "
                "manager and nominated peers rate)"
            )
        raise NotFound(f"no assessment '{assessment_id}' among those you take part in")
    cycle = await Cycles(uow, tenant).get(a.cycle_id)
    at = now()
    ready = a.submit(who.subject, kind, ratings, cycle, at)
    completed = ready and a.complete(cycle, now())
    await assessments.save(a)
    uow.publish_all(a.pull_events(), tenant_id=tenant)
    if completed:
        await publish_results(uow, tenant, a, now())
    return kind, completed


async def calibrate_level(
    uow: UnitOfWork, who: Principal, assessment_id: str, competency_id: str, level: int, reason: str
) -> None:
    """HR sets a completed assessment's level by hand, with the reason; when it is the person's
    latest assessment, their levels and gaps are published again."""
    tenant, assessments = who.tenant_id, Assessments(uow, who.tenant_id)
    a = await assessments.get(assessment_id, lock=True)
    at = now()
    a.calibrate(competency_id, level, reason, who.subject, at)
    await assessments.save(a)
    # Only the latest assessment of a person sets their current levels.
    if await assessments.newest_completed(a.employee_id) == assessment_id:
        await publish_results(uow, tenant, a, at)


async def readable(
    uow: UnitOfWork,
    who: Principal,
    cycle_id: str | None,
    employee_id: str | None,
    status: str | None,
) -> list[Any]:
    """Assessment rows the caller takes part in or may read."""
    return await Assessments(uow, who.tenant_id).readable(who, cycle_id, employee_id, status)


async def manages(uow: UnitOfWork, tenant: str, manager: str, employee: str) -> bool:
    """True when `manager` is above `employee` in this service's directory."""
    return await relation.manages(uow, employees, tenant, manager, employee)
