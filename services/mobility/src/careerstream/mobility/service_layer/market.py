"""The internal marketplace: opportunities, aspirations, applications, shortlists and fills.

Visibility: an open opportunity is visible to everyone in the tenant, or only
to its department when `visibility` is `department`; its hiring manager and
hr_admin always see it. Candidates are seen only by the hiring manager and
hr_admin, as far as `candidates` allows; an employee sees their own match.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from careerstream.contracts.events import mobility as ev
from careerstream.mobility.adapters.orm import (
    applications,
    candidate_searches,
    employees,
    opportunities,
    profiles,
    roles,
)
from careerstream.mobility.domain.matching import Match, RoleInfo, Target, explain, move_kind
from careerstream.mobility.service_layer.index import index_for, role_infos, to_profile
from careerstream.mobility.service_layer.projections import upsert_profile
from careerstream.servicekit import relation
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.errors import Conflict, Forbidden, Invalid, NotFound
from careerstream.servicekit.uow import UnitOfWork


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class OpportunityIn:
    kind: ev.OpportunityKind
    title: str
    description: str
    role_id: str | None
    family_id: str | None
    required: dict[str, int] | None
    time_share: int
    duration_weeks: int | None
    department_id: str | None
    location: str | None
    remote: bool
    visibility: ev.VisibilityScope
    hiring_manager_id: str | None
    closes_at: datetime | None


async def _person(uow: UnitOfWork, tenant: str, employee_id: str) -> Any:
    return (
        await uow.session.execute(
            sa.select(employees).where(
                employees.c.tenant_id == tenant, employees.c.employee_id == employee_id
            )
        )
    ).first()


async def post(uow: UnitOfWork, who: Principal, o: OpportunityIn) -> str:
    tenant = who.tenant_id
    problems: list[str] = []
    hiring_manager = o.hiring_manager_id or who.subject
    if not who.has(Role.HR_ADMIN):
        if not who.has(Role.MANAGER):
            raise Forbidden(
                "opportunities are posted by hr_admin or by a manager (as the hiring manager)"
            )
        if hiring_manager != who.subject:
            raise Forbidden(
                "a manager posts opportunities for themselves as hiring manager; hr_admin may name another"
            )
    manager_row = await _person(uow, tenant, hiring_manager)
    if manager_row is None or not manager_row.active:
        problems.append(f"hiring_manager_id: '{hiring_manager}' is not an active employee")
    role = None
    all_roles = (
        await uow.session.execute(sa.select(roles).where(roles.c.tenant_id == tenant))
    ).all()
    known = {c for r in all_roles for c in r.requirements}
    high = max((r.scale_high for r in all_roles), default=10)
    if o.role_id is not None:
        role = next((r for r in all_roles if r.role_id == o.role_id), None)
        if role is None:
            problems.append(f"role_id: '{o.role_id}' is not a role of any published framework")
    elif o.kind is ev.OpportunityKind.ROLE:
        problems.append("role_id: an opportunity of kind 'role' names the framework role")
    required = (
        o.required
        if o.required is not None
        else (dict(role.requirements) if role is not None else {})
    )
    if not required and not problems:
        problems.append("required: name the competencies it needs, with levels (never degrees)")
    for c, lv in sorted(required.items()):
        if c not in known:
            problems.append(f"required.{c}: not a competency of any published role")
        if not 1 <= lv <= high:
            problems.append(f"required.{c}: level {lv} is outside the scale 1-{high}")
    if o.visibility is ev.VisibilityScope.DEPARTMENT and not o.department_id:
        problems.append("department_id: a department-only opportunity names its department")
    if o.closes_at is not None and o.closes_at <= _now():
        problems.append(f"closes_at: {o.closes_at.isoformat()} is in the past")
    if o.kind in (ev.OpportunityKind.PROJECT, ev.OpportunityKind.GIG) and o.duration_weeks is None:
        problems.append("duration_weeks: a project or gig says how long it lasts")
    if problems:
        raise Invalid(problems)
    opportunity_id = f"opp-{uuid.uuid4().hex[:12]}"
    now = _now()
    family_id = role.family_id if role is not None else o.family_id
    level_id = role.level_id if role is not None else None
    await uow.session.execute(
        sa.insert(opportunities).values(
            tenant_id=tenant,
            opportunity_id=opportunity_id,
            kind=o.kind.value,
            title=o.title,
            description=o.description,
            role_id=o.role_id,
            family_id=family_id,
            level_id=level_id,
            required=required,
            time_share=o.time_share,
            duration_weeks=o.duration_weeks,
            department_id=o.department_id,
            location=o.location,
            remote=o.remote,
            visibility=o.visibility.value,
            hiring_manager_id=hiring_manager,
            status="open",
            posted_at=now,
            closes_at=o.closes_at,
        )
    )
    uow.publish(
        ev.OpportunityPosted(
            opportunity_id=opportunity_id,
            kind=o.kind,
            title=o.title,
            role_id=o.role_id,
            family_id=family_id,
            level_id=level_id,
            required=[
                ev.RequiredCompetency(competency_id=c, level=lv)
                for c, lv in sorted(required.items())
            ],
            time_share=o.time_share,
            duration_weeks=o.duration_weeks,
            department_id=o.department_id,
            location=o.location,
            remote=o.remote,
            visibility=o.visibility,
            hiring_manager_id=hiring_manager,
            posted_at=now,
            closes_at=o.closes_at,
        ),
        tenant_id=tenant,
    )
    return opportunity_id


async def get(uow: UnitOfWork, tenant: str, opportunity_id: str, *, lock: bool = False) -> Any:
    stmt = sa.select(opportunities).where(
        opportunities.c.tenant_id == tenant, opportunities.c.opportunity_id == opportunity_id
    )
    if lock:
        stmt = stmt.with_for_update()
    row = (await uow.session.execute(stmt)).first()
    if row is None:
        raise NotFound(f"no opportunity '{opportunity_id}' among those you may see")
    return row


def runs(who: Principal, opp: Any) -> bool:
    """The hiring manager and hr_admin run an opportunity: they see candidates and decide."""
    return who.has(Role.HR_ADMIN) or opp.hiring_manager_id == who.subject


async def visible(
    uow: UnitOfWork, who: Principal, opportunity_id: str, *, lock: bool = False
) -> Any:
    opp = await get(uow, who.tenant_id, opportunity_id, lock=lock)
    if runs(who, opp):
        return opp
    if opp.visibility == "department":
        me = await _person(uow, who.tenant_id, who.subject)
        if me is None or me.department_id != opp.department_id:
            raise NotFound(f"no opportunity '{opportunity_id}' among those you may see")
    return opp


async def list_visible(uow: UnitOfWork, who: Principal, status: str | None) -> list[Any]:
    stmt = sa.select(opportunities).where(opportunities.c.tenant_id == who.tenant_id)
    if status:
        stmt = stmt.where(opportunities.c.status == status)
    if not who.has(Role.HR_ADMIN):
        me = await _person(uow, who.tenant_id, who.subject)
        dept = me.department_id if me is not None else None
        stmt = stmt.where(
            sa.or_(
                opportunities.c.hiring_manager_id == who.subject,
                opportunities.c.visibility == "tenant",
                sa.and_(
                    opportunities.c.visibility == "department",
                    opportunities.c.department_id == dept,
                ),
            )
        )
    return list((await uow.session.execute(stmt.order_by(opportunities.c.posted_at.desc()))).all())


async def _target(uow: UnitOfWork, tenant: str, opp: Any) -> Target:
    role = None
    if opp.role_id:
        role = (await role_infos(uow, tenant)).get(opp.role_id)
    return Target(opp.opportunity_id, opp.kind, dict(opp.required), role, opp.family_id)


@dataclass(frozen=True)
class Candidate:
    match: Match
    application: str | None
    """Their application's status, if they applied."""
    full: bool
    """The asker may read this person individually (HR, or the person is in their line):
    levels and scores; otherwise only whether each requirement is met."""
    aspirations_shown: bool


async def candidates(
    uow: UnitOfWork, who: Principal, opportunity_id: str, limit: int
) -> list[Candidate]:
    """People ranked for an opportunity, as far as the asker may find and read them.

    hr_admin finds everyone, in full. A hiring manager finds the people of their own line
    (in full: they may read them anyway), those who applied, and those open to being
    approached (`open_to_approach`); of people outside their line they see whether each
    requirement is met, never levels or scores, and their aspirations only if they share
    them. Every search is logged for HR (`candidate_searches`).
    """
    opp = await visible(uow, who, opportunity_id)
    if not runs(who, opp):
        raise Forbidden("only the hiring manager and hr_admin see candidates")
    tenant = who.tenant_id
    index = await index_for(uow, tenant)
    applied = {
        r.employee_id: r.status
        for r in (
            await uow.session.execute(
                sa.select(applications.c.employee_id, applications.c.status).where(
                    applications.c.tenant_id == tenant,
                    applications.c.opportunity_id == opportunity_id,
                    applications.c.status != "withdrawn",
                )
            )
        ).all()
    }
    as_hr = who.has(Role.HR_ADMIN)
    line: set[str] = set()
    sharing: set[str] = set()
    among = private = None
    if not as_hr:
        line = set(
            (
                await uow.session.scalars(
                    sa.select(employees.c.employee_id).where(
                        employees.c.tenant_id == tenant,
                        employees.c.employee_id.in_(
                            relation.reports_of(employees, tenant, who.subject)
                        ),
                    )
                )
            ).all()
        )
        flags = (
            await uow.session.execute(
                sa.select(
                    profiles.c.employee_id,
                    profiles.c.open_to_approach,
                    profiles.c.share_aspirations,
                ).where(
                    profiles.c.tenant_id == tenant,
                    sa.or_(profiles.c.open_to_approach, profiles.c.share_aspirations),
                )
            )
        ).all()
        approachable = {e for e, open_, _ in flags if open_}
        sharing = {e for e, _, shares in flags if shares}
        among = index.mask(line | approachable | set(applied))
        private = among & ~index.mask(line | sharing)
    matches = index.top(
        await _target(uow, tenant, opp),
        limit,
        exclude=[opp.hiring_manager_id],
        among=among,
        private=private,
    )
    out = [
        Candidate(
            m,
            applied.get(m.employee_id),
            full=as_hr or m.employee_id in line,
            aspirations_shown=as_hr or m.employee_id in line or m.employee_id in sharing,
        )
        for m in matches
    ]
    await uow.session.execute(
        sa.insert(candidate_searches).values(
            tenant_id=tenant,
            search_id=str(uuid.uuid4()),
            opportunity_id=opportunity_id,
            searched_by=who.subject,
            searched_at=_now(),
            as_hr=as_hr,
            shown=len(out),
            shown_in_full=sum(c.full for c in out),
        )
    )
    return out


async def candidate_searches_log(
    uow: UnitOfWork,
    tenant: str,
    *,
    opportunity_id: str | None,
    searched_by: str | None,
    limit: int,
) -> list[Any]:
    """Who searched for candidates, newest first (HR reads it)."""
    c = candidate_searches.c
    stmt = sa.select(candidate_searches).where(c.tenant_id == tenant)
    if opportunity_id is not None:
        stmt = stmt.where(c.opportunity_id == opportunity_id)
    if searched_by is not None:
        stmt = stmt.where(c.searched_by == searched_by)
    stmt = stmt.order_by(c.searched_at.desc(), c.search_id).limit(limit)
    return list((await uow.session.execute(stmt)).all())


async def my_profile(uow: UnitOfWork, who: Principal) -> Any:
    infos = await role_infos(uow, who.tenant_id)
    row = (
        await uow.session.execute(
            sa.select(profiles).where(
                profiles.c.tenant_id == who.tenant_id, profiles.c.employee_id == who.subject
            )
        )
    ).first()
    if row is None:
        raise NotFound("you have no profile yet: the HRIS has not announced you")
    return to_profile(row, infos)


async def my_match(uow: UnitOfWork, who: Principal, opportunity_id: str) -> Match:
    opp = await visible(uow, who, opportunity_id)
    return explain(await my_profile(uow, who), await _target(uow, who.tenant_id, opp))


async def recommendations(uow: UnitOfWork, who: Principal, limit: int) -> list[tuple[Any, Match]]:
    me = await my_profile(uow, who)
    out = []
    for opp in await list_visible(uow, who, "open"):
        if opp.hiring_manager_id == who.subject or (
            opp.role_id and me.role and opp.role_id == me.role.role_id
        ):
            continue
        out.append((opp, explain(me, await _target(uow, who.tenant_id, opp))))
    out.sort(key=lambda pair: (-pair[1].score, pair[0].opportunity_id))
    return out[:limit]


async def set_aspirations(
    uow: UnitOfWork,
    who: Principal,
    employee_id: str,
    target_role_ids: Sequence[str],
    target_family_ids: Sequence[str],
    open_to_projects: bool,
    willing_to_relocate: bool,
    open_to_approach: bool = False,
    share_aspirations: bool = False,
) -> None:
    if who.subject != employee_id:
        sees = (
            who.has(Role.HR_ADMIN) and await _person(uow, who.tenant_id, employee_id) is not None
        ) or await relation.manages(uow, employees, who.tenant_id, who.subject, employee_id)
        if sees:
            raise Forbidden(
                "aspirations, and whether someone may be approached, are theirs alone to state"
            )
        raise NotFound(f"no employee '{employee_id}' whose aspirations you may set")
    all_roles = (
        await uow.session.execute(
            sa.select(roles.c.role_id, roles.c.family_id).where(roles.c.tenant_id == who.tenant_id)
        )
    ).all()
    role_ids, family_ids = {r for r, _ in all_roles}, {f for _, f in all_roles}
    problems = [
        f"target_role_ids[{i}]: '{r}' is not a role"
        for i, r in enumerate(target_role_ids)
        if r not in role_ids
    ]
    problems += [
        f"target_family_ids[{i}]: '{f}' is not a job family"
        for i, f in enumerate(target_family_ids)
        if f not in family_ids
    ]
    if problems:
        raise Invalid(problems)
    await upsert_profile(
        uow,
        who.tenant_id,
        employee_id,
        target_role_ids=list(dict.fromkeys(target_role_ids)),
        target_family_ids=list(dict.fromkeys(target_family_ids)),
        open_to_projects=open_to_projects,
        willing_to_relocate=willing_to_relocate,
        open_to_approach=open_to_approach,
        share_aspirations=share_aspirations,
    )


async def aspirations(uow: UnitOfWork, who: Principal, employee_id: str) -> dict[str, Any]:
    allowed = (
        who.subject == employee_id
        or who.has(Role.HR_ADMIN)
        or await relation.manages(uow, employees, who.tenant_id, who.subject, employee_id)
    )
    row = (
        await uow.session.execute(
            sa.select(profiles).where(
                profiles.c.tenant_id == who.tenant_id, profiles.c.employee_id == employee_id
            )
        )
    ).first()
    if not allowed or row is None:
        raise NotFound(f"no employee '{employee_id}' whose aspirations you may see")
    return {
        "employee_id": employee_id,
        "target_role_ids": row.target_role_ids,
        "target_family_ids": row.target_family_ids,
        "open_to_projects": row.open_to_projects,
        "willing_to_relocate": row.willing_to_relocate,
        "open_to_approach": row.open_to_approach,
        "share_aspirations": row.share_aspirations,
    }


# -- applications --------------------------------------------------------------------------


async def apply(uow: UnitOfWork, who: Principal, opportunity_id: str, note: str) -> str:
    tenant = who.tenant_id
    opp = await visible(uow, who, opportunity_id, lock=True)
    if opp.status != "open":
        raise Conflict(f"opportunity '{opportunity_id}' is {opp.status}; it takes no applications")
    if opp.hiring_manager_id == who.subject:
        raise Conflict("you are the hiring manager of this opportunity")
    me = await _person(uow, tenant, who.subject)
    if me is None or not me.active:
        raise Forbidden("only active employees apply")
    live = await uow.session.scalar(
        sa.select(applications.c.application_id).where(
            applications.c.tenant_id == tenant,
            applications.c.opportunity_id == opportunity_id,
            applications.c.employee_id == who.subject,
            applications.c.status != "withdrawn",
        )
    )
    if live:
        raise Conflict(f"you already applied ({live})")
    application_id, now = f"app-{uuid.uuid4().hex[:12]}", _now()
    await uow.session.execute(
        sa.insert(applications).values(
            tenant_id=tenant,
            application_id=application_id,
            opportunity_id=opportunity_id,
            employee_id=who.subject,
            status="submitted",
            note=note,
            submitted_at=now,
            updated_at=now,
        )
    )
    uow.publish(
        ev.ApplicationSubmitted(
            application_id=application_id,
            opportunity_id=opportunity_id,
            employee_id=who.subject,
            submitted_at=now,
        ),
        tenant_id=tenant,
    )
    return application_id


async def _application(uow: UnitOfWork, tenant: str, application_id: str) -> Any:
    row = (
        await uow.session.execute(
            sa.select(applications)
            .where(
                applications.c.tenant_id == tenant, applications.c.application_id == application_id
            )
            .with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound(f"no application '{application_id}' among those you may see")
    return row


async def withdraw(uow: UnitOfWork, who: Principal, application_id: str) -> None:
    app = await _application(uow, who.tenant_id, application_id)
    if app.employee_id != who.subject:
        if runs(who, await get(uow, who.tenant_id, app.opportunity_id)):
            raise Forbidden("only the applicant withdraws an application")
        raise NotFound(f"no application '{application_id}' among those you may see")
    if app.status not in ("submitted", "shortlisted"):
        raise Conflict(f"application '{application_id}' is {app.status}; it cannot be withdrawn")
    now = _now()
    await uow.session.execute(
        sa.update(applications)
        .where(
            applications.c.tenant_id == who.tenant_id,
            applications.c.application_id == application_id,
        )
        .values(status="withdrawn", updated_at=now)
    )
    uow.publish(
        ev.ApplicationWithdrawn(
            application_id=application_id,
            opportunity_id=app.opportunity_id,
            employee_id=app.employee_id,
            withdrawn_at=now,
        ),
        tenant_id=who.tenant_id,
    )


async def _run(uow: UnitOfWork, who: Principal, opportunity_id: str) -> Any:
    opp = await visible(uow, who, opportunity_id, lock=True)
    if not runs(who, opp):
        raise Forbidden("only the hiring manager and hr_admin decide on candidates")
    return opp


async def shortlist(uow: UnitOfWork, who: Principal, application_id: str) -> None:
    app = await _application(uow, who.tenant_id, application_id)
    if app.employee_id != who.subject and not runs(
        who, await get(uow, who.tenant_id, app.opportunity_id)
    ):
        # Someone else's application, to an opportunity the caller does not run: not theirs
        # to know of.
        raise NotFound(f"no application '{application_id}' among those you may see")
    opp = await _run(uow, who, app.opportunity_id)
    if opp.status != "open":
        raise Conflict(f"opportunity '{opp.opportunity_id}' is {opp.status}")
    if app.status != "submitted":
        raise Conflict(
            f"application '{application_id}' is {app.status}; only a submitted one is shortlisted"
        )
    now = _now()
    await uow.session.execute(
        sa.update(applications)
        .where(
            applications.c.tenant_id == who.tenant_id,
            applications.c.application_id == application_id,
        )
        .values(status="shortlisted", updated_at=now)
    )
    uow.publish(
        ev.CandidateShortlisted(
            application_id=application_id,
            opportunity_id=app.opportunity_id,
            employee_id=app.employee_id,
            shortlisted_at=now,
        ),
        tenant_id=who.tenant_id,
    )


async def _fill(uow: UnitOfWork, who: Principal, opp: Any, chosen: Any | None) -> ev.RoleFilled:
    tenant, now = who.tenant_id, _now()
    live = (
        await uow.session.execute(
            sa.select(applications).where(
                applications.c.tenant_id == tenant,
                applications.c.opportunity_id == opp.opportunity_id,
                applications.c.status.in_(["submitted", "shortlisted"]),
            )
        )
    ).all()
    passed_over = [
        ev.PassedOver(
            employee_id=a.employee_id,
            stage=ev.PassedOverStage.SHORTLISTED
            if a.status == "shortlisted"
            else ev.PassedOverStage.APPLIED,
        )
        for a in sorted(live, key=lambda a: a.employee_id)
        if chosen is None or a.application_id != chosen.application_id
    ]
    kind = ev.MoveKind.OTHER
    from_role = None
    if chosen is not None:
        person = await _person(uow, tenant, chosen.employee_id)
        from_role = person.role_id if person is not None else None
        infos = await role_infos(uow, tenant)
        origin: RoleInfo | None = infos.get(from_role) if from_role else None
        target = infos.get(opp.role_id) if opp.role_id else None
        if opp.kind == "role":
            kind = ev.MoveKind(move_kind(origin, target).value)
    for a in live:
        status = (
            "selected"
            if chosen is not None and a.application_id == chosen.application_id
            else "not_selected"
        )
        await uow.session.execute(
            sa.update(applications)
            .where(
                applications.c.tenant_id == tenant,
                applications.c.application_id == a.application_id,
            )
            .values(status=status, updated_at=now)
        )
    await uow.session.execute(
        sa.update(opportunities)
        .where(
            opportunities.c.tenant_id == tenant,
            opportunities.c.opportunity_id == opp.opportunity_id,
        )
        .values(
            status="filled",
            filled_at=now,
            filled_by=chosen.employee_id if chosen else None,
            internal_fill=chosen is not None,
        )
    )
    event = ev.RoleFilled(
        opportunity_id=opp.opportunity_id,
        internal=chosen is not None,
        employee_id=chosen.employee_id if chosen else None,
        from_role_id=from_role,
        to_role_id=opp.role_id,
        move_kind=kind,
        passed_over=passed_over,
        posted_at=opp.posted_at,
        filled_at=now,
    )
    uow.publish(event, tenant_id=tenant)
    return event


async def select(
    uow: UnitOfWork, who: Principal, opportunity_id: str, application_id: str
) -> ev.RoleFilled:
    opp = await _run(uow, who, opportunity_id)
    if opp.status != "open":
        raise Conflict(f"opportunity '{opportunity_id}' is {opp.status}")
    app = (
        await uow.session.execute(
            sa.select(applications).where(
                applications.c.tenant_id == who.tenant_id,
                applications.c.application_id == application_id,
                applications.c.opportunity_id == opportunity_id,
            )
        )
    ).first()
    if app is None:
        raise Invalid(
            [
                f"application_id: '{application_id}' is not an application to this opportunity; select someone who applied"
            ]
        )
    if app.status not in ("submitted", "shortlisted"):
        raise Conflict(f"application '{application_id}' is {app.status}; it cannot be selected")
    return await _fill(uow, who, opp, app)


async def fill_externally(uow: UnitOfWork, who: Principal, opportunity_id: str) -> ev.RoleFilled:
    opp = await _run(uow, who, opportunity_id)
    if opp.status != "open":
        raise Conflict(f"opportunity '{opportunity_id}' is {opp.status}")
    return await _fill(uow, who, opp, None)


async def close(uow: UnitOfWork, who: Principal, opportunity_id: str, reason: str) -> None:
    opp = await _run(uow, who, opportunity_id)
    if opp.status != "open":
        raise Conflict(f"opportunity '{opportunity_id}' is {opp.status}")
    now = _now()
    await uow.session.execute(
        sa.update(opportunities)
        .where(
            opportunities.c.tenant_id == who.tenant_id,
            opportunities.c.opportunity_id == opportunity_id,
        )
        .values(status="closed", closed_at=now)
    )
    uow.publish(
        ev.OpportunityClosed(opportunity_id=opportunity_id, closed_at=now, reason=reason),
        tenant_id=who.tenant_id,
    )


async def list_applications(
    uow: UnitOfWork, who: Principal, opportunity_id: str | None
) -> list[Any]:
    stmt = sa.select(applications).where(applications.c.tenant_id == who.tenant_id)
    if opportunity_id is not None:
        opp = await visible(uow, who, opportunity_id)
        stmt = stmt.where(applications.c.opportunity_id == opportunity_id)
        if not runs(who, opp):
            stmt = stmt.where(applications.c.employee_id == who.subject)
    elif not who.has(Role.HR_ADMIN):
        run_by_me = sa.select(opportunities.c.opportunity_id).where(
            opportunities.c.tenant_id == who.tenant_id,
            opportunities.c.hiring_manager_id == who.subject,
        )
        stmt = stmt.where(
            sa.or_(
                applications.c.employee_id == who.subject,
                applications.c.opportunity_id.in_(run_by_me),
            )
        )
    return list((await uow.session.execute(stmt.order_by(applications.c.submitted_at))).all())
