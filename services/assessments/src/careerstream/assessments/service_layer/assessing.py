"""Cycles, ratings, completion, calibration and gap analysis.

An assessment completes when its employee and their manager have both
submitted (peers are optional), or when its cycle closes with at least one
submission (one nobody rated expires). Completion computes the calibrated
levels with the cycle's rule, records them as the employee's latest levels, and
publishes assessment.completed and skillgap.identified for the current role
and, when one is declared, the target role.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.assessments.adapters.orm import (
    assessments,
    cycles,
    employees,
    frameworks,
    levels,
    results,
    roles,
    submissions,
)
from careerstream.assessments.domain.rules import (
    GapAnalysis,
    RaterKind,
    RatingError,
    RatingIn,
    Rule,
    Submission,
    analyse,
    calibrate,
    check_ratings,
    rater_kind,
)
from careerstream.contracts.events import assessments as ev
from careerstream.servicekit import relation
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.errors import Conflict, Forbidden, Invalid, NotFound
from careerstream.servicekit.uow import UnitOfWork


def _now() -> datetime:
    return datetime.now(UTC)


# -- who may see whom ----------------------------------------------------------------------


async def manages(uow: UnitOfWork, tenant: str, manager: str, employee: str) -> bool:
    """True when `manager` is above `employee` in the hierarchy (direct or indirect)."""
    return await relation.manages(uow, employees, tenant, manager, employee)


async def may_read_person(uow: UnitOfWork, who: Principal, employee: str) -> bool:
    if who.subject == employee:
        return True
    if who.has(Role.HR_ADMIN):
        # HR reads everyone of their own tenant: someone the directory does not know is no one.
        known = await uow.session.scalar(
            sa.select(sa.literal(True)).where(
                employees.c.tenant_id == who.tenant_id, employees.c.employee_id == employee
            )
        )
        return bool(known)
    return await manages(uow, who.tenant_id, who.subject, employee)


async def require_read_person(uow: UnitOfWork, who: Principal, employee: str) -> None:
    if not await may_read_person(uow, who, employee):
        # Not 403: whether the person exists is not the caller's business either.
        raise NotFound(f"no employee '{employee}' among the people you may see")


# -- cycles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedCycle:
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
    tenant = who.tenant_id
    if deadline <= _now():
        raise Invalid([f"deadline: {deadline.isoformat()} is in the past"])
    if population.kind is not ev.PopulationKind.ALL and not population.ids:
        raise Invalid([f"population.ids: name at least one {population.kind.value}"])
    bad = [k for k in weights if k not in {"self", "manager", "peer"}]
    if bad:
        raise Invalid([f"weights: unknown rater kind(s) {', '.join(bad)}; use self, manager, peer"])
    cycle_id = f"cyc-{uuid.uuid4().hex[:12]}"
    now = _now()
    await uow.session.execute(
        sa.insert(cycles).values(
            tenant_id=tenant,
            cycle_id=cycle_id,
            name=name,
            population=population.model_dump(mode="json"),
            deadline=deadline,
            rule=rule.value,
            weights=weights,
            status="open",
            opened_at=now,
            opened_by=who.subject,
        )
    )
    query = (
        sa.select(
            employees.c.employee_id,
            employees.c.role_id,
            roles.c.framework_id,
            roles.c.framework_version,
            roles.c.requirements,
            roles.c.family_id,
            frameworks.c.scale_low,
            frameworks.c.scale_high,
        )
        .select_from(employees)
        .outerjoin(
            roles, sa.and_(roles.c.tenant_id == tenant, roles.c.role_id == employees.c.role_id)
        )
        .outerjoin(
            frameworks,
            sa.and_(
                frameworks.c.tenant_id == tenant, frameworks.c.framework_id == roles.c.framework_id
            ),
        )
        .where(employees.c.tenant_id == tenant, employees.c.active)
        .order_by(employees.c.employee_id)
    )
    if population.kind is ev.PopulationKind.DEPARTMENT:
        query = query.where(employees.c.department_id.in_(population.ids))
    elif population.kind is ev.PopulationKind.FAMILY:
        query = query.where(roles.c.family_id.in_(population.ids))
    rows = (await uow.session.execute(query)).all()
    skipped: list[dict[str, str]] = []
    batch: list[dict[str, Any]] = []
    for r in rows:
        if r.role_id is None:
            skipped.append({"employee_id": r.employee_id, "reason": "no role in the HRIS record"})
            continue
        if r.framework_id is None or r.scale_low is None:
            skipped.append(
                {
                    "employee_id": r.employee_id,
                    "reason": f"role '{r.role_id}' is in no published framework",
                }
            )
            continue
        batch.append(
            {
                "tenant_id": tenant,
                "assessment_id": f"asm-{uuid.uuid4().hex[:16]}",
                "cycle_id": cycle_id,
                "employee_id": r.employee_id,
                "role_id": r.role_id,
                "framework_id": r.framework_id,
                "framework_version": r.framework_version,
                "required": r.requirements,
                "scale_low": r.scale_low,
                "scale_high": r.scale_high,
                "status": "open",
                "peers": [],
                "created_at": now,
            }
        )
    if batch:
        await uow.session.execute(sa.insert(assessments), batch)
    uow.publish(
        ev.CycleOpened(
            cycle_id=cycle_id,
            name=name,
            population=population,
            opened_at=now,
            deadline=deadline,
            rule=ev.CalibrationRule(rule.value),
            weights=weights,
        ),
        tenant_id=tenant,
    )
    return OpenedCycle(cycle_id, len(batch), skipped)


async def get_cycle(uow: UnitOfWork, tenant: str, cycle_id: str, *, lock: bool = False) -> Any:
    stmt = sa.select(cycles).where(cycles.c.tenant_id == tenant, cycles.c.cycle_id == cycle_id)
    if lock:
        stmt = stmt.with_for_update()
    row = (await uow.session.execute(stmt)).first()
    if row is None:
        raise NotFound(f"no cycle '{cycle_id}'")
    return row


async def cycle_progress(uow: UnitOfWork, tenant: str, cycle_id: str) -> dict[str, int]:
    rows = await uow.session.execute(
        sa.select(assessments.c.status, sa.func.count())
        .where(assessments.c.tenant_id == tenant, assessments.c.cycle_id == cycle_id)
        .group_by(assessments.c.status)
    )
    return {status: int(n) for status, n in rows.all()}


async def close_cycle(uow: UnitOfWork, who: Principal, cycle_id: str) -> dict[str, int]:
    tenant = who.tenant_id
    cycle = await get_cycle(uow, tenant, cycle_id, lock=True)
    if cycle.status != "open":
        raise Conflict(f"cycle '{cycle_id}' is already closed")
    now = _now()
    await uow.session.execute(
        sa.update(cycles)
        .where(cycles.c.tenant_id == tenant, cycles.c.cycle_id == cycle_id)
        .values(status="closed", closed_at=now)
    )
    open_ones = (
        await uow.session.execute(
            sa.select(assessments)
            .where(
                assessments.c.tenant_id == tenant,
                assessments.c.cycle_id == cycle_id,
                assessments.c.status == "open",
            )
            .with_for_update()
        )
    ).all()
    completed = expired = 0
    for a in open_ones:
        if await _complete(uow, tenant, a, cycle):
            completed += 1
        else:
            expired += 1
            await uow.session.execute(
                sa.update(assessments)
                .where(
                    assessments.c.tenant_id == tenant,
                    assessments.c.assessment_id == a.assessment_id,
                )
                .values(status="expired")
            )
    uow.publish(ev.CycleClosed(cycle_id=cycle_id, closed_at=now), tenant_id=tenant)
    return {"completed": completed, "expired": expired}


# -- assessments ---------------------------------------------------------------------------


async def get_assessment(
    uow: UnitOfWork, tenant: str, assessment_id: str, *, lock: bool = False
) -> Any:
    stmt = sa.select(assessments).where(
        assessments.c.tenant_id == tenant, assessments.c.assessment_id == assessment_id
    )
    if lock:
        stmt = stmt.with_for_update()
    row = (await uow.session.execute(stmt)).first()
    if row is None:
        raise NotFound(f"no assessment '{assessment_id}'")
    return row


async def current_manager(uow: UnitOfWork, tenant: str, employee: str) -> str | None:
    manager: str | None = await uow.session.scalar(
        sa.select(employees.c.manager_id).where(
            employees.c.tenant_id == tenant, employees.c.employee_id == employee
        )
    )
    return manager


async def part_in(uow: UnitOfWork, who: Principal, a: Any) -> RaterKind | None:
    manager = await current_manager(uow, who.tenant_id, a.employee_id)
    return rater_kind(who.subject, a.employee_id, manager, a.peers)


async def visible_assessment(
    uow: UnitOfWork, who: Principal, assessment_id: str, *, lock: bool = False
) -> tuple[Any, str]:
    """The assessment and how the caller sees it: hr, manager (chain), self or peer; else 404."""
    a = await get_assessment(uow, who.tenant_id, assessment_id, lock=lock)
    if who.has(Role.HR_ADMIN):
        return a, "hr"
    if who.subject == a.employee_id:
        return a, "self"
    if await manages(uow, who.tenant_id, who.subject, a.employee_id):
        return a, "manager"
    if who.subject in a.peers:
        return a, "peer"
    raise NotFound(f"no assessment '{assessment_id}' among those you take part in")


async def nominate_peers(
    uow: UnitOfWork, who: Principal, assessment_id: str, peer_ids: Sequence[str]
) -> list[str]:
    a, seen_as = await visible_assessment(uow, who, assessment_id, lock=True)
    manager = await current_manager(uow, who.tenant_id, a.employee_id)
    if seen_as not in ("self", "hr") and who.subject != manager:
        raise Forbidden("peers are nominated by the employee, their manager or HR")
    if a.status != "open":
        raise Conflict(f"assessment '{assessment_id}' is {a.status}; peers can no longer be added")
    problems: list[str] = []
    for i, pid in enumerate(peer_ids):
        if pid in (a.employee_id, manager):
            problems.append(f"peer_ids[{i}]: '{pid}' already rates as self or manager")
    known = set(
        (
            await uow.session.scalars(
                sa.select(employees.c.employee_id).where(
                    employees.c.tenant_id == who.tenant_id,
                    employees.c.employee_id.in_(list(peer_ids)),
                    employees.c.active,
                )
            )
        ).all()
    )
    for i, pid in enumerate(peer_ids):
        if pid not in known:
            problems.append(f"peer_ids[{i}]: '{pid}' is not an active employee")
    if problems:
        raise Invalid(problems)
    peers = list(dict.fromkeys([*a.peers, *peer_ids]))
    await uow.session.execute(
        sa.update(assessments)
        .where(
            assessments.c.tenant_id == who.tenant_id, assessments.c.assessment_id == assessment_id
        )
        .values(peers=peers)
    )
    return peers


async def submit(
    uow: UnitOfWork, who: Principal, assessment_id: str, ratings: Sequence[RatingIn]
) -> tuple[RaterKind, bool]:
    """Record the caller's ratings; returns their rater kind and whether the assessment completed."""
    tenant = who.tenant_id
    a = await get_assessment(uow, tenant, assessment_id, lock=True)
    kind = await part_in(uow, who, a)
    if kind is None:
        if who.has(Role.HR_ADMIN) or await manages(uow, tenant, who.subject, a.employee_id):
            raise Forbidden(
                "you are not a rater of this assessment (only the employee, their current "
                "manager and nominated peers rate)"
            )
        raise NotFound(f"no assessment '{assessment_id}' among those you take part in")
    cycle = await get_cycle(uow, tenant, a.cycle_id)
    if cycle.status != "open":
        raise Conflict(
            f"cycle '{a.cycle_id}' closed at {cycle.closed_at.isoformat()}; no more ratings"
        )
    if a.status != "open":
        raise Conflict(f"assessment '{assessment_id}' is {a.status}; no more ratings")
    try:
        check_ratings(ratings, a.required, (a.scale_low, a.scale_high))
    except RatingError as exc:
        raise Invalid(exc.problems) from exc
    now = _now()
    inserted = await uow.session.execute(
        pg_insert(submissions)
        .values(
            tenant_id=tenant,
            assessment_id=assessment_id,
            rater_id=who.subject,
            rater_kind=kind.value,
            ratings=[
                {"competency_id": r.competency_id, "level": r.level, "evidence": r.evidence}
                for r in ratings
            ],
            submitted_at=now,
        )
        .on_conflict_do_nothing()
        .returning(submissions.c.rater_id)
    )
    if inserted.first() is None:
        raise Conflict(f"you already submitted your ratings for assessment '{assessment_id}'")
    uow.publish(
        ev.AssessmentSubmitted(
            assessment_id=assessment_id,
            cycle_id=a.cycle_id,
            employee_id=a.employee_id,
            rater_id=who.subject,
            rater_kind=ev.RaterKind(kind.value),
            ratings=[
                ev.Rating(competency_id=r.competency_id, level=r.level, evidence=r.evidence)
                for r in ratings
            ],
            submitted_at=now,
        ),
        tenant_id=tenant,
    )
    kinds = set(
        (
            await uow.session.scalars(
                sa.select(submissions.c.rater_kind).where(
                    submissions.c.tenant_id == tenant, submissions.c.assessment_id == assessment_id
                )
            )
        ).all()
    )
    completed = False
    if {"self", "manager"} <= kinds:
        completed = await _complete(uow, tenant, a, cycle)
    return kind, completed


async def _submissions(uow: UnitOfWork, tenant: str, assessment_id: str) -> list[Any]:
    return list(
        (
            await uow.session.execute(
                sa.select(submissions)
                .where(
                    submissions.c.tenant_id == tenant, submissions.c.assessment_id == assessment_id
                )
                .order_by(submissions.c.submitted_at)
            )
        ).all()
    )


async def _complete(uow: UnitOfWork, tenant: str, a: Any, cycle: Any) -> bool:
    subs = await _submissions(uow, tenant, a.assessment_id)
    if not subs:
        return False
    calibrated = calibrate(
        list(a.required),
        [
            Submission(
                s.rater_id,
                RaterKind(s.rater_kind),
                {r["competency_id"]: r["level"] for r in s.ratings},
            )
            for s in subs
        ],
        Rule(cycle.rule),
        cycle.weights,
    )
    now = _now()
    await uow.session.execute(
        sa.insert(results),
        [
            {
                "tenant_id": tenant,
                "assessment_id": a.assessment_id,
                "competency_id": c,
                "level": lv,
                "source": "rule",
            }
            for c, lv in calibrated.items()
        ],
    )
    await uow.session.execute(
        sa.update(assessments)
        .where(assessments.c.tenant_id == tenant, assessments.c.assessment_id == a.assessment_id)
        .values(status="completed", completed_at=now)
    )
    await _publish_results(uow, tenant, a.assessment_id, now)
    return True


async def _publish_results(uow: UnitOfWork, tenant: str, assessment_id: str, now: datetime) -> None:
    """Record the levels as the employee's latest and publish completion and gaps."""
    a = await get_assessment(uow, tenant, assessment_id)
    rows = (
        await uow.session.execute(
            sa.select(results)
            .where(results.c.tenant_id == tenant, results.c.assessment_id == assessment_id)
            .order_by(results.c.competency_id)
        )
    ).all()
    subs = await _submissions(uow, tenant, assessment_id)
    person = (
        await uow.session.execute(
            sa.select(employees).where(
                employees.c.tenant_id == tenant, employees.c.employee_id == a.employee_id
            )
        )
    ).one()
    current_role = (
        await uow.session.execute(
            sa.select(roles).where(roles.c.tenant_id == tenant, roles.c.role_id == person.role_id)
        )
    ).first()
    required_now: dict[str, int] = current_role.requirements if current_role is not None else {}
    if rows:
        stmt = pg_insert(levels).values(
            [
                {
                    "tenant_id": tenant,
                    "employee_id": a.employee_id,
                    "competency_id": r.competency_id,
                    "level": r.level,
                    "required": required_now.get(r.competency_id),
                    "department_id": person.department_id,
                    "family_id": current_role.family_id if current_role is not None else None,
                    "manager_id": person.manager_id,
                    "assessment_id": assessment_id,
                    "assessed_at": now,
                }
                for r in rows
            ]
        )
        await uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[levels.c.tenant_id, levels.c.employee_id, levels.c.competency_id],
                set_={
                    c: stmt.excluded[c]
                    for c in (
                        "level",
                        "required",
                        "department_id",
                        "family_id",
                        "manager_id",
                        "assessment_id",
                        "assessed_at",
                    )
                },
            )
        )
    uow.publish(
        ev.AssessmentCompleted(
            assessment_id=assessment_id,
            cycle_id=a.cycle_id,
            employee_id=a.employee_id,
            role_id=a.role_id,
            framework_id=a.framework_id,
            framework_version=a.framework_version,
            levels=[
                ev.CalibratedLevel(
                    competency_id=r.competency_id,
                    level=r.level,
                    source=ev.LevelSource(r.source),
                    calibration_reason=r.reason,
                )
                for r in rows
            ],
            raters=[ev.Rater(rater_id=s.rater_id, kind=ev.RaterKind(s.rater_kind)) for s in subs],
            completed_at=a.completed_at or now,
        ),
        tenant_id=tenant,
    )
    latest = await latest_levels(uow, tenant, a.employee_id)
    references: list[tuple[ev.GapReference, str, dict[str, int]]] = []
    if current_role is not None:
        references.append((ev.GapReference.CURRENT, current_role.role_id, required_now))
    if person.target_role_id:
        target = await role_requirements(uow, tenant, person.target_role_id)
        if target is not None:
            references.append((ev.GapReference.TARGET, person.target_role_id, target))
    for ref, role_id, required in references:
        publish_gaps(
            uow, tenant, a.employee_id, assessment_id, ref, analyse(role_id, required, latest), now
        )


def publish_gaps(
    uow: UnitOfWork,
    tenant: str,
    employee_id: str,
    assessment_id: str,
    reference: ev.GapReference,
    analysis: GapAnalysis,
    now: datetime,
) -> None:
    uow.publish(
        ev.SkillgapIdentified(
            employee_id=employee_id,
            assessment_id=assessment_id,
            reference=reference,
            role_id=analysis.role_id,
            gaps=[
                ev.CompetencyGap(
                    competency_id=g.competency_id, required=g.required, current=g.current, gap=g.gap
                )
                for g in analysis.gaps
            ],
            readiness=analysis.readiness,
            ready=analysis.ready,
            identified_at=now,
        ),
        tenant_id=tenant,
    )


async def latest_levels(uow: UnitOfWork, tenant: str, employee_id: str) -> dict[str, int]:
    rows = await uow.session.execute(
        sa.select(levels.c.competency_id, levels.c.level).where(
            levels.c.tenant_id == tenant, levels.c.employee_id == employee_id
        )
    )
    return {c: int(lv) for c, lv in rows.all()}


async def role_requirements(uow: UnitOfWork, tenant: str, role_id: str) -> dict[str, int] | None:
    req: dict[str, int] | None = await uow.session.scalar(
        sa.select(roles.c.requirements).where(
            roles.c.tenant_id == tenant, roles.c.role_id == role_id
        )
    )
    return req


async def calibrate_level(
    uow: UnitOfWork, who: Principal, assessment_id: str, competency_id: str, level: int, reason: str
) -> None:
    tenant = who.tenant_id
    a = await get_assessment(uow, tenant, assessment_id, lock=True)
    if a.status != "completed":
        raise Conflict(
            f"assessment '{assessment_id}' is {a.status}; only a completed one is calibrated"
        )
    if competency_id not in a.required:
        raise Invalid([f"competency_id: the role does not require '{competency_id}'"])
    if not a.scale_low <= level <= a.scale_high:
        raise Invalid([f"level: {level} is outside the scale {a.scale_low}-{a.scale_high}"])
    if not reason.strip():
        raise Invalid(["reason: say why the level is calibrated (it is kept)"])
    now = _now()
    stmt = pg_insert(results).values(
        tenant_id=tenant,
        assessment_id=assessment_id,
        competency_id=competency_id,
        level=level,
        source="calibrated",
        reason=reason,
        calibrated_by=who.subject,
        calibrated_at=now,
    )
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[results.c.tenant_id, results.c.assessment_id, results.c.competency_id],
            set_={
                c: stmt.excluded[c]
                for c in ("level", "source", "reason", "calibrated_by", "calibrated_at")
            },
        )
    )
    # Only the latest assessment of a person sets their current levels.
    newest = await uow.session.scalar(
        sa.select(assessments.c.assessment_id)
        .where(
            assessments.c.tenant_id == tenant,
            assessments.c.employee_id == a.employee_id,
            assessments.c.status == "completed",
        )
        .order_by(assessments.c.completed_at.desc())
        .limit(1)
    )
    if newest == assessment_id:
        await _publish_results(uow, tenant, assessment_id, now)


async def set_target_role(
    uow: UnitOfWork, who: Principal, employee_id: str, role_id: str | None
) -> GapAnalysis | None:
    tenant = who.tenant_id
    await require_read_person(uow, who, employee_id)
    required = None
    if role_id is not None:
        required = await role_requirements(uow, tenant, role_id)
        if required is None:
            raise Invalid([f"role_id: '{role_id}' is not a role of any published framework"])
    await uow.session.execute(
        sa.update(employees)
        .where(employees.c.tenant_id == tenant, employees.c.employee_id == employee_id)
        .values(target_role_id=role_id)
    )
    if role_id is None or required is None:
        return None
    latest_assessment = await uow.session.scalar(
        sa.select(assessments.c.assessment_id)
        .where(
            assessments.c.tenant_id == tenant,
            assessments.c.employee_id == employee_id,
            assessments.c.status == "completed",
        )
        .order_by(assessments.c.completed_at.desc())
        .limit(1)
    )
    analysis = analyse(role_id, required, await latest_levels(uow, tenant, employee_id))
    if latest_assessment is not None:
        publish_gaps(
            uow, tenant, employee_id, latest_assessment, ev.GapReference.TARGET, analysis, _now()
        )
    return analysis


async def gaps(
    uow: UnitOfWork, who: Principal, employee_id: str, role_ids: Sequence[str]
) -> dict[str, Any]:
    """Gap analyses of a person against their current role, their target, and any roles asked for."""
    tenant = who.tenant_id
    await require_read_person(uow, who, employee_id)
    person = (
        await uow.session.execute(
            sa.select(employees).where(
                employees.c.tenant_id == tenant, employees.c.employee_id == employee_id
            )
        )
    ).first()
    if person is None:
        raise NotFound(f"no employee '{employee_id}'")
    latest = await latest_levels(uow, tenant, employee_id)
    out: dict[str, Any] = {"employee_id": employee_id, "analyses": []}
    wanted: list[tuple[str, str]] = []
    if person.role_id:
        wanted.append(("current", person.role_id))
    if person.target_role_id:
        wanted.append(("target", person.target_role_id))
    wanted += [("asked", r) for r in role_ids]
    for reference, role_id in wanted:
        required = await role_requirements(uow, tenant, role_id)
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
