"""Matching people and opportunities: candidates, an employee's own matches, aspirations.

Candidates are seen only by the one running the opportunity, as far as
`candidates` allows; an employee sees their own match. Aspirations, and
whether someone may be approached, are theirs alone to state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from careerstream.mobility.adapters.index import index_for, role_infos, to_profile, to_target
from careerstream.mobility.adapters.orm import employees
from careerstream.mobility.adapters.profiles import coverage, upsert_profile
from careerstream.mobility.adapters.repository import Market
from careerstream.mobility.domain.matching import Match, Profile, Target, best_for, explain
from careerstream.mobility.domain.opportunity import Opportunity, aspiration_problems
from careerstream.mobility.service_layer.opportunities import list_visible, now, runs, visible
from careerstream.servicekit import relation
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.domain import Forbidden, Invalid, NotFound
from careerstream.servicekit.uow import UnitOfWork


async def target_of(uow: UnitOfWork, tenant: str, opp: Opportunity | Any) -> Target:
    """What an opportunity asks for, as the matcher reads it."""
    return to_target(opp, await role_infos(uow, tenant), await coverage(uow, tenant))


@dataclass(frozen=True)
class Candidate:
    """One ranked person, and how much of them the asker may see."""

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
    tenant, market = who.tenant_id, Market(uow, who.tenant_id)
    index = await index_for(uow, tenant)
    applied = {a.employee_id: a.status.value for a in opp.applications if a.status != "withdrawn"}
    as_hr = who.has(Role.HR_ADMIN)
    line: set[str] = set()
    sharing: set[str] = set()
    among = private = None
    if not as_hr:
        line = await market.line_of(who.subject)
        approachable, sharing = await market.approachable_and_sharing()
        among = index.mask(line | approachable | set(applied))
        private = among & ~index.mask(line | sharing)
    matches = index.top(
        await target_of(uow, tenant, opp),
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
    await market.log_search(opportunity_id, who, len(out), sum(c.full for c in out), now())
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
    return await Market(uow, tenant).searches(
        opportunity_id=opportunity_id, searched_by=searched_by, limit=limit
    )


async def my_profile(uow: UnitOfWork, who: Principal) -> Profile:
    """The caller's marketplace profile; 404 until the HRIS has announced them."""
    infos = await role_infos(uow, who.tenant_id)
    row = await Market(uow, who.tenant_id).profile(who.subject)
    if row is None:
        raise NotFound("you have no profile yet: the HRIS has not announced you")
    return to_profile(row, infos)


async def my_match(uow: UnitOfWork, who: Principal, opportunity_id: str) -> Match:
    """How the caller matches an opportunity they may see, explained."""
    opp = await visible(uow, who, opportunity_id)
    return explain(await my_profile(uow, who), await target_of(uow, who.tenant_id, opp))


async def recommendations(uow: UnitOfWork, who: Principal, limit: int) -> list[tuple[Any, Match]]:
    """Open opportunities for the caller, best match first (not their own role, not theirs to run)."""
    return await _fitting(
        uow, who.tenant_id, await my_profile(uow, who), await list_visible(uow, who, "open"), limit
    )


async def _fitting(
    uow: UnitOfWork, tenant: str, person: Profile, opps: Sequence[Any], limit: int
) -> list[tuple[Any, Match]]:
    """The opportunities that fit a person best (not their own role, not theirs to run): the
    roles are read once for all of them, however many there are."""
    infos = await role_infos(uow, tenant)
    eligible = [
        opp
        for opp in opps
        if opp.hiring_manager_id != person.employee_id
        and not (opp.role_id and person.role and opp.role_id == person.role.role_id)
    ]
    covers = await coverage(uow, tenant)
    targets = [to_target(opp, infos, covers) for opp in eligible]
    return [(eligible[i], match) for i, match in best_for(person, targets, limit)]


async def reports_opportunities(
    uow: UnitOfWork, who: Principal, limit: int
) -> list[dict[str, Any]]:
    """For a manager's career conversations: each direct report, and — when the report lets
    their managers see it (`share_matches_with_manager`) — the open opportunities that fit
    them best. The others are listed without opportunities: it is theirs to share."""
    tenant, market = who.tenant_id, Market(uow, who.tenant_id)
    reports = await market.direct_reports(who.subject)
    infos = await role_infos(uow, tenant)
    out: list[dict[str, Any]] = []
    for r in reports:
        entry: dict[str, Any] = {"employee_id": r.employee_id, "shared": bool(r.shares)}
        row = await market.profile(r.employee_id) if r.shares else None
        if row is not None:
            # What the report may see themselves (a department's opportunities: theirs only).
            report = Principal(tenant, r.employee_id, frozenset({Role.EMPLOYEE}))
            opps = await list_visible(uow, report, "open")
            fits = await _fitting(uow, tenant, to_profile(row, infos), opps, limit)
            entry["opportunities"] = [
                {
                    "opportunity_id": opp.opportunity_id,
                    "title": opp.title,
                    "kind": str(opp.kind),
                    "score": match.score,
                    "move_kind": match.move_kind.value if match.move_kind else None,
                    "competencies_short": sum(c.level < c.required for c in match.competencies),
                }
                for opp, match in fits
            ]
        else:
            entry["opportunities"] = []
        out.append(entry)
    return out


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
    share_matches_with_manager: bool = False,
) -> None:
    """The employee states their aspirations (403 to anyone who may see them, 404 to others)."""
    if who.subject != employee_id:
        if (await relation.relation_to(uow, employees, who, employee_id)).sees:
            raise Forbidden(
                "aspirations, and whether someone may be approached, are theirs alone to state"
            )
        raise NotFound(f"no employee '{employee_id}' whose aspirations you may set")
    all_roles = await Market(uow, who.tenant_id).roles()
    problems = aspiration_problems(
        target_role_ids,
        target_family_ids,
        {r.role_id for r in all_roles},
        {r.family_id for r in all_roles},
    )
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
        share_matches_with_manager=share_matches_with_manager,
    )


async def aspirations(uow: UnitOfWork, who: Principal, employee_id: str) -> dict[str, Any]:
    """A person's aspirations, to themselves, their managers and HR."""
    allowed = (
        who.subject == employee_id
        or who.has(Role.HR_ADMIN)
        or await relation.manages(uow, employees, who.tenant_id, who.subject, employee_id)
    )
    row = await Market(uow, who.tenant_id).profile(employee_id)
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
        "share_matches_with_manager": row.share_matches_with_manager,
    }
