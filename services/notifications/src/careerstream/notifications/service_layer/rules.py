"""What triggers what: each event of the platform that needs someone, and whom it needs.

| event | told | kind |
|---|---|---|
| assessment.opened | the employee | assessment_opened |
| assessment.opened | their manager, once per cycle | team_assessments_opened |
| peers.nominated | each peer | peer_review_requested |
| (timed) an assessment's deadline is near | each rater who has not rated | assessment_due |
| assessment.completed | the employee | gaps_ready |
| plan.created (a draft) | the employee; their manager | plan_drafted; plan_awaiting_approval |
| transition.drafted | the employee; the new manager | transition_plan; new_report_transition |
| (timed) an active plan without a check-in | the employee and their manager | checkin_overdue |
| goal.completed | the employee's manager | goal_completed |
| candidate.shortlisted | the applicant | application_shortlisted |
| role.filled | the one selected; every other applicant still in | application_selected; application_not_selected |
| opportunity.closed (not filled) | every applicant still in | opportunity_closed |
| opportunity.matched (restricted) | each person it fits | opportunity_match (daily digest) |
| erasure.completed | the HR admin who asked | erasure_completed |

Each handler takes a batch of one event type (a cycle opening for 50,000 people is a few
statements, not 100,000). The state kept for the timed rules (assessments and their raters,
plans, applications) is only what those rules need.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events import assessments as asm
from careerstream.contracts.events import mobility as mob
from careerstream.contracts.events import plans as pl
from careerstream.contracts.events import privacy as prv
from careerstream.notifications.adapters.orm import (
    applications,
    assessments,
    employees,
    erasures,
    opportunities,
    plans,
    raters,
)
from careerstream.notifications.domain.catalog import Kind
from careerstream.notifications.service_layer.deciding import Intent, Policy, decide, now
from careerstream.servicekit.consumer import BatchHandler
from careerstream.servicekit.uow import UnitOfWork

Batch = Sequence[tuple[Envelope, Any]]


def _day(at: datetime) -> str:
    return at.date().isoformat()


async def managers_of(uow: UnitOfWork, tenant: str, ids: Sequence[str]) -> dict[str, str]:
    """The current manager of each of `ids` the directory knows (and who has one)."""
    if not ids:
        return {}
    rows = await uow.session.execute(
        sa.select(employees.c.employee_id, employees.c.manager_id).where(
            employees.c.tenant_id == tenant,
            employees.c.employee_id == sa.any_(sa.literal(sorted(set(ids)), ARRAY(sa.Text))),
            employees.c.manager_id.is_not(None),
        )
    )
    return {r.employee_id: r.manager_id for r in rows}


def _by_tenant(events: Batch) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for e, p in events:
        out.setdefault(e.tenantid, []).append(p)
    return out


def _batch(fn: Callable[[UnitOfWork, str, list[Any]], Awaitable[None]]) -> BatchHandler:
    async def handle(uow: UnitOfWork, events: Batch) -> None:
        for tenant, items in _by_tenant(events).items():
            await fn(uow, tenant, items)

    return handle


class Rules:
    """The event handlers, with the service's policy."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def privacy_handlers(self) -> dict[type[Any], BatchHandler]:
        """Erasure requests and completions: they name the erased person, so they are read
        outside the erasure guard (which would skip them); they keep only the requester."""
        return {
            prv.ErasureRequested: _batch(self.erasure_requested),
            prv.ErasureCompleted: _batch(self.erasure_completed),
        }

    def batch_handlers(self) -> dict[type[Any], BatchHandler]:
        h = _batch
        return {
            asm.AssessmentOpened: h(self.assessment_opened),
            asm.PeersNominated: h(self.peers_nominated),
            asm.AssessmentSubmitted: h(self.assessment_submitted),
            asm.AssessmentCompleted: h(self.assessment_completed),
            pl.PlanCreated: h(self.plan_created),
            pl.PlanApproved: h(self.plan_approved),
            pl.CheckinRecorded: h(self.checkin_recorded),
            pl.PlanCompleted: h(self.plan_completed),
            pl.GoalCompleted: h(self.goal_completed),
            pl.ActionUpdated: h(self.action_updated),
            pl.TransitionPlanDrafted: h(self.transition_drafted),
            mob.OpportunityPosted: h(self.opportunity_posted),
            mob.ApplicationSubmitted: h(self.application_submitted),
            mob.ApplicationWithdrawn: h(self.application_withdrawn),
            mob.CandidateShortlisted: h(self.shortlisted),
            mob.RoleFilled: h(self.role_filled),
            mob.OpportunityClosed: h(self.opportunity_closed),
            mob.OpportunityMatched: h(self.opportunity_matched),
        }

    async def _decide(self, uow: UnitOfWork, intents: Sequence[Intent]) -> None:
        await decide(uow, intents, self.policy)

    # -- assessments --------------------------------------------------------------------

    async def assessment_opened(
        self, uow: UnitOfWork, tenant: str, items: list[asm.AssessmentOpened]
    ) -> None:
        managers = await managers_of(uow, tenant, [p.employee_id for p in items])
        await uow.session.execute(
            pg_insert(assessments).on_conflict_do_nothing(),
            [
                {
                    "tenant_id": tenant,
                    "assessment_id": p.assessment_id,
                    "cycle_id": p.cycle_id,
                    "employee_id": p.employee_id,
                    "deadline": p.deadline,
                }
                for p in items
            ],
        )
        rater_rows = [
            {"tenant_id": tenant, "assessment_id": p.assessment_id, "rater_id": r, "kind": k}
            for p in items
            for r, k in ((p.employee_id, "self"), (managers.get(p.employee_id), "manager"))
            if r is not None
        ]
        await uow.session.execute(pg_insert(raters).on_conflict_do_nothing(), rater_rows)
        intents = []
        for p in items:
            params = {"deadline": _day(p.deadline), "cycle": p.cycle_id}
            intents.append(
                Intent(tenant, p.employee_id, Kind.ASSESSMENT_OPENED, p.assessment_id, None, params)
            )
            manager = managers.get(p.employee_id)
            if manager is not None:
                intents.append(
                    Intent(
                        tenant,
                        manager,
                        Kind.TEAM_ASSESSMENTS_OPENED,
                        f"cycle:{p.cycle_id}",
                        None,
                        params,
                    )
                )
        await self._decide(uow, intents)

    async def peers_nominated(
        self, uow: UnitOfWork, tenant: str, items: list[asm.PeersNominated]
    ) -> None:
        rows = [
            {"tenant_id": tenant, "assessment_id": p.assessment_id, "rater_id": r, "kind": "peer"}
            for p in items
            for r in p.peer_ids
        ]
        await uow.session.execute(pg_insert(raters).on_conflict_do_nothing(), rows)
        deadlines = dict(
            (
                await uow.session.execute(
                    sa.select(assessments.c.assessment_id, assessments.c.deadline).where(
                        assessments.c.tenant_id == tenant,
                        assessments.c.assessment_id.in_([p.assessment_id for p in items]),
                    )
                )
            ).all()
        )
        intents = [
            Intent(
                tenant,
                peer,
                Kind.PEER_REVIEW_REQUESTED,
                p.assessment_id,
                p.employee_id,
                {"deadline": _day(deadlines[p.assessment_id])}
                if p.assessment_id in deadlines
                else {"deadline": "the cycle's deadline"},
            )
            for p in items
            for peer in p.peer_ids
        ]
        await self._decide(uow, intents)

    async def assessment_submitted(
        self, uow: UnitOfWork, tenant: str, items: list[asm.AssessmentSubmitted]
    ) -> None:
        await uow.session.execute(
            pg_insert(raters).on_conflict_do_update(
                index_elements=[raters.c.tenant_id, raters.c.assessment_id, raters.c.rater_id],
                set_={"submitted": True},
            ),
            [
                {
                    "tenant_id": tenant,
                    "assessment_id": p.assessment_id,
                    "rater_id": p.rater_id,
                    "kind": p.rater_kind.value,
                    "submitted": True,
                }
                for p in items
            ],
        )

    async def assessment_completed(
        self, uow: UnitOfWork, tenant: str, items: list[asm.AssessmentCompleted]
    ) -> None:
        await uow.session.execute(
            sa.update(assessments)
            .where(
                assessments.c.tenant_id == tenant,
                assessments.c.assessment_id.in_([p.assessment_id for p in items]),
            )
            .values(completed=True)
        )
        await self._decide(
            uow,
            [Intent(tenant, p.employee_id, Kind.GAPS_READY, p.assessment_id) for p in items],
        )

    # -- plans --------------------------------------------------------------------------

    async def plan_created(self, uow: UnitOfWork, tenant: str, items: list[pl.PlanCreated]) -> None:
        await uow.session.execute(
            pg_insert(plans).on_conflict_do_nothing(),
            [
                {
                    "tenant_id": tenant,
                    "plan_id": p.plan_id,
                    "employee_id": p.employee_id,
                    "status": p.status.value,
                    "last_touch": p.created_at,
                }
                for p in items
            ],
        )
        drafts = [
            p for p in items if p.status is pl.PlanStatus.DRAFT and p.transition_to_role_id is None
        ]  # a transition plan is told by transition.drafted
        managers = await managers_of(uow, tenant, [p.employee_id for p in drafts])
        intents = []
        for p in drafts:
            intents.append(Intent(tenant, p.employee_id, Kind.PLAN_DRAFTED, p.plan_id))
            manager = managers.get(p.employee_id)
            if manager is not None:
                intents.append(
                    Intent(tenant, manager, Kind.PLAN_AWAITING_APPROVAL, p.plan_id, p.employee_id)
                )
        await self._decide(uow, intents)

    async def _touch(
        self, uow: UnitOfWork, tenant: str, touches: Sequence[tuple[str, datetime, str | None]]
    ) -> None:
        for plan_id, at, status in touches:
            values: dict[str, Any] = {"last_touch": sa.func.greatest(plans.c.last_touch, at)}
            if status is not None:
                values["status"] = status
            await uow.session.execute(
                sa.update(plans)
                .where(plans.c.tenant_id == tenant, plans.c.plan_id == plan_id)
                .values(**values)
            )

    async def plan_approved(
        self, uow: UnitOfWork, tenant: str, items: list[pl.PlanApproved]
    ) -> None:
        await self._touch(uow, tenant, [(p.plan_id, p.approved_at, "active") for p in items])

    async def checkin_recorded(
        self, uow: UnitOfWork, tenant: str, items: list[pl.CheckinRecorded]
    ) -> None:
        await self._touch(uow, tenant, [(p.plan_id, p.held_at, None) for p in items])

    async def plan_completed(
        self, uow: UnitOfWork, tenant: str, items: list[pl.PlanCompleted]
    ) -> None:
        await self._touch(uow, tenant, [(p.plan_id, p.completed_at, "completed") for p in items])

    async def goal_completed(
        self, uow: UnitOfWork, tenant: str, items: list[pl.GoalCompleted]
    ) -> None:
        managers = await managers_of(uow, tenant, [p.employee_id for p in items])
        await self._decide(
            uow,
            [
                Intent(
                    tenant, managers[p.employee_id], Kind.GOAL_COMPLETED, p.goal_id, p.employee_id
                )
                for p in items
                if p.employee_id in managers
            ],
        )

    async def action_updated(
        self, uow: UnitOfWork, tenant: str, items: list[pl.ActionUpdated]
    ) -> None:
        """The LMS moved a step of someone's plan: done, or a failed attempt (the employee)."""
        intents = []
        for p in items:
            if p.via is not pl.ActionVia.LMS or p.learning_statement_id is None:
                continue
            trigger = f"{p.action_id}:{p.learning_statement_id}"
            if p.failed_attempt:
                intents.append(Intent(tenant, p.employee_id, Kind.LEARNING_ATTEMPT_FAILED, trigger))
            elif p.status is pl.ActionStatus.DONE:
                intents.append(Intent(tenant, p.employee_id, Kind.LEARNING_DONE, trigger))
        await self._decide(uow, intents)

    async def transition_drafted(
        self, uow: UnitOfWork, tenant: str, items: list[pl.TransitionPlanDrafted]
    ) -> None:
        intents = []
        for p in items:
            intents.append(Intent(tenant, p.employee_id, Kind.TRANSITION_PLAN, p.plan_id))
            if p.manager_id is not None:
                intents.append(
                    Intent(
                        tenant, p.manager_id, Kind.NEW_REPORT_TRANSITION, p.plan_id, p.employee_id
                    )
                )
        await self._decide(uow, intents)

    # -- the marketplace ----------------------------------------------------------------

    async def opportunity_posted(
        self, uow: UnitOfWork, tenant: str, items: list[mob.OpportunityPosted]
    ) -> None:
        await uow.session.execute(
            pg_insert(opportunities).on_conflict_do_nothing(),
            [
                {"tenant_id": tenant, "opportunity_id": p.opportunity_id, "title": p.title}
                for p in items
            ],
        )

    async def _titles(self, uow: UnitOfWork, tenant: str, ids: Sequence[str]) -> dict[str, Any]:
        rows = await uow.session.execute(
            sa.select(opportunities).where(
                opportunities.c.tenant_id == tenant, opportunities.c.opportunity_id.in_(list(ids))
            )
        )
        return {r.opportunity_id: r for r in rows}

    async def application_submitted(
        self, uow: UnitOfWork, tenant: str, items: list[mob.ApplicationSubmitted]
    ) -> None:
        await uow.session.execute(
            pg_insert(applications).on_conflict_do_nothing(),
            [
                {
                    "tenant_id": tenant,
                    "application_id": p.application_id,
                    "opportunity_id": p.opportunity_id,
                    "employee_id": p.employee_id,
                    "status": "open",
                }
                for p in items
            ],
        )
        # Read after the opportunity's outcome (topics are not ordered with each other): the
        # applicant is still told how it ended.
        opps = await self._titles(uow, tenant, [p.opportunity_id for p in items])
        intents = []
        for p in items:
            o = opps.get(p.opportunity_id)
            if o is None or o.outcome is None:
                continue
            intents.append(self._outcome(tenant, o, p.employee_id))
        await self._decide(uow, intents)

    def _outcome(self, tenant: str, o: Any, employee_id: str) -> Intent:
        params = {"title": o.title}
        if o.outcome == "closed":
            kind = Kind.OPPORTUNITY_CLOSED
        elif o.selected_id == employee_id:
            kind = Kind.APPLICATION_SELECTED
        else:
            kind = Kind.APPLICATION_NOT_SELECTED
        return Intent(tenant, employee_id, kind, o.opportunity_id, None, params)

    async def application_withdrawn(
        self, uow: UnitOfWork, tenant: str, items: list[mob.ApplicationWithdrawn]
    ) -> None:
        await uow.session.execute(
            sa.update(applications)
            .where(
                applications.c.tenant_id == tenant,
                applications.c.application_id.in_([p.application_id for p in items]),
            )
            .values(status="withdrawn")
        )

    async def shortlisted(
        self, uow: UnitOfWork, tenant: str, items: list[mob.CandidateShortlisted]
    ) -> None:
        await uow.session.execute(
            sa.update(applications)
            .where(
                applications.c.tenant_id == tenant,
                applications.c.application_id.in_([p.application_id for p in items]),
                applications.c.status == "open",
            )
            .values(status="shortlisted")
        )
        opps = await self._titles(uow, tenant, [p.opportunity_id for p in items])
        await self._decide(
            uow,
            [
                Intent(
                    tenant,
                    p.employee_id,
                    Kind.APPLICATION_SHORTLISTED,
                    p.application_id,
                    None,
                    {"title": opps[p.opportunity_id].title}
                    if p.opportunity_id in opps
                    else {"title": "an opportunity"},
                )
                for p in items
            ],
        )

    async def _ended(
        self, uow: UnitOfWork, tenant: str, ended: Sequence[tuple[str, str, str | None]]
    ) -> None:
        """(opportunity, outcome, selected): record the outcome once; tell the applicants."""
        intents: list[Intent] = []
        for opp_id, outcome, selected in ended:
            row = (
                await uow.session.execute(
                    sa.update(opportunities)
                    .where(
                        opportunities.c.tenant_id == tenant,
                        opportunities.c.opportunity_id == opp_id,
                        opportunities.c.outcome.is_(None),
                    )
                    .values(outcome=outcome, selected_id=selected)
                    .returning(opportunities)
                )
            ).first()
            if row is None:
                continue  # unknown, or already filled or closed: told then
            applicants = (
                await uow.session.scalars(
                    sa.select(applications.c.employee_id).where(
                        applications.c.tenant_id == tenant,
                        applications.c.opportunity_id == opp_id,
                        applications.c.status != "withdrawn",
                    )
                )
            ).all()
            told = set(applicants) | ({selected} if selected else set())
            intents += [self._outcome(tenant, row, emp) for emp in sorted(told)]
        await self._decide(uow, intents)

    async def role_filled(self, uow: UnitOfWork, tenant: str, items: list[mob.RoleFilled]) -> None:
        await self._ended(
            uow,
            tenant,
            [(p.opportunity_id, "filled", p.employee_id if p.internal else None) for p in items],
        )

    async def opportunity_closed(
        self, uow: UnitOfWork, tenant: str, items: list[mob.OpportunityClosed]
    ) -> None:
        await self._ended(uow, tenant, [(p.opportunity_id, "closed", None) for p in items])

    async def opportunity_matched(
        self, uow: UnitOfWork, tenant: str, items: list[mob.OpportunityMatched]
    ) -> None:
        await self._decide(
            uow,
            [
                Intent(
                    tenant,
                    emp,
                    Kind.OPPORTUNITY_MATCH,
                    p.opportunity_id,
                    None,
                    {"title": p.title},
                )
                for p in items
                for emp in p.employee_ids
            ],
        )

    # -- privacy ------------------------------------------------------------------------

    async def erasure_requested(
        self, uow: UnitOfWork, tenant: str, items: list[prv.ErasureRequested]
    ) -> None:
        await uow.session.execute(
            pg_insert(erasures).on_conflict_do_nothing(),
            [
                {"tenant_id": tenant, "erasure_id": p.erasure_id, "requested_by": p.requested_by}
                for p in items
            ],
        )

    async def erasure_completed(
        self, uow: UnitOfWork, tenant: str, items: list[prv.ErasureCompleted]
    ) -> None:
        asked = dict(
            (
                await uow.session.execute(
                    sa.select(erasures.c.erasure_id, erasures.c.requested_by).where(
                        erasures.c.tenant_id == tenant,
                        erasures.c.erasure_id.in_([p.erasure_id for p in items]),
                    )
                )
            ).all()
        )
        await self._decide(
            uow,
            [
                Intent(
                    tenant,
                    asked[p.erasure_id],
                    Kind.ERASURE_COMPLETED,
                    p.erasure_id,
                    None,
                    {"erasure": p.erasure_id},
                )
                for p in items
                if asked.get(p.erasure_id) and asked[p.erasure_id] != p.employee_id
            ],
        )


# -- timed rules --------------------------------------------------------------------------


def _rows_by_tenant(rows: Sequence[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for r in rows:
        out.setdefault(r.tenant_id, []).append(r)
    return out


async def due_reminders(uow: UnitOfWork, policy: Policy, days: float, limit: int = 2000) -> int:
    """Assessments whose deadline is within `days` and which some rater has not rated: each
    such rater is reminded once. Rows are claimed with SKIP LOCKED, so replicas share the work
    and never both take one. Returns how many assessments were handled."""
    at = now()
    rows = (
        await uow.session.execute(
            sa.select(
                assessments.c.tenant_id,
                assessments.c.assessment_id,
                assessments.c.employee_id,
                assessments.c.deadline,
            )
            .where(
                ~assessments.c.completed,
                ~assessments.c.reminded,
                assessments.c.deadline > at,
                assessments.c.deadline <= at + timedelta(days=days),
            )
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not rows:
        return 0
    intents: list[Intent] = []
    for tenant, group in _rows_by_tenant(rows).items():
        waiting = await uow.session.execute(
            sa.select(raters.c.assessment_id, raters.c.rater_id, raters.c.kind).where(
                raters.c.tenant_id == tenant,
                raters.c.assessment_id.in_([r.assessment_id for r in group]),
                ~raters.c.submitted,
            )
        )
        info = {r.assessment_id: r for r in group}
        for w in waiting:
            a = info[w.assessment_id]
            intents.append(
                Intent(
                    tenant,
                    w.rater_id,
                    Kind.ASSESSMENT_DUE,
                    w.assessment_id,
                    None if w.rater_id == a.employee_id else a.employee_id,
                    {"deadline": _day(a.deadline)},
                )
            )
        await uow.session.execute(
            sa.update(assessments)
            .where(
                assessments.c.tenant_id == tenant,
                assessments.c.assessment_id.in_([r.assessment_id for r in group]),
            )
            .values(reminded=True)
        )
    await decide(uow, intents, policy, at)
    return len(rows)


async def overdue_checkins(uow: UnitOfWork, policy: Policy, days: float, limit: int = 2000) -> int:
    """Active plans with no check-in (or approval) for `days`: the employee and their manager
    are told once per quiet spell (a new check-in starts a new one)."""
    at = now()
    rows = (
        await uow.session.execute(
            sa.select(plans)
            .where(
                plans.c.status == "active",
                plans.c.last_touch <= at - timedelta(days=days),
                sa.or_(plans.c.overdue_told.is_(None), plans.c.overdue_told < plans.c.last_touch),
            )
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not rows:
        return 0
    intents: list[Intent] = []
    for tenant, group in _rows_by_tenant(rows).items():
        managers = await managers_of(uow, tenant, [r.employee_id for r in group])
        for r in group:
            trigger = f"{r.plan_id}:{r.last_touch.isoformat()}"
            quiet_days = str(int((at - r.last_touch).total_seconds() // 86400))
            intents.append(
                Intent(
                    tenant,
                    r.employee_id,
                    Kind.CHECKIN_OVERDUE,
                    trigger,
                    None,
                    {"days": quiet_days, "of_name": "", "plan_path": "/me/plan"},
                )
            )
            manager = managers.get(r.employee_id)
            if manager is not None:
                intents.append(
                    Intent(
                        tenant,
                        manager,
                        Kind.CHECKIN_OVERDUE,
                        trigger,
                        r.employee_id,
                        {
                            "days": quiet_days,
                            "of_name": " of {name}",
                            "plan_path": f"/team/{r.employee_id}",
                        },
                    )
                )
        for r in group:
            await uow.session.execute(
                sa.update(plans)
                .where(plans.c.tenant_id == tenant, plans.c.plan_id == r.plan_id)
                .values(overdue_told=r.last_touch)
            )
    await decide(uow, intents, policy, at)
    return len(rows)
