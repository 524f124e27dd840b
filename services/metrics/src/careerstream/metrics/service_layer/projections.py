"""Event facts: each handler records what its event says, and nothing it does not.

Written with SQLAlchemy Core only (no schema named in SQL text), so that a
replay can write the same facts into a shadow schema. Order-tolerant: each
event fills in only its own columns, so a fill that arrives before its posting
leaves the posting's columns for the posting to fill, and the reverse.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events import assessments as assessment_events
from careerstream.contracts.events import frameworks as framework_events
from careerstream.contracts.events import hris as hris_events
from careerstream.contracts.events import learning as learning_events
from careerstream.contracts.events import mobility as mobility_events
from careerstream.contracts.events import plans as plan_events
from careerstream.metrics.adapters.orm import (
    applications,
    benches,
    conversations,
    employees,
    gap_closings,
    gap_observations,
    goals,
    learning_completions,
    opportunities,
    org_units,
    passed_over,
    plan_actions,
    plans,
    readiness,
    role_history,
    survey_answers,
)
from careerstream.metrics.adapters.repository import (
    held_role_version,
    merge,
    posted_at_if_missing,
    replace_roles,
)
from careerstream.metrics.domain.definitions import days
from careerstream.metrics.domain.definitions import gap_closings as gap_closings_of
from careerstream.servicekit.consumer import BatchHandler, Handler
from careerstream.servicekit.db import among
from careerstream.servicekit.orgtree import OrgTreeProjection
from careerstream.servicekit.people import PeopleProjection
from careerstream.servicekit.uow import UnitOfWork

people = PeopleProjection(employees)


def _midnight(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=UTC)


async def record_roles(
    uow: UnitOfWork,
    events: Sequence[tuple[Envelope, hris_events.EmployeeHired | hris_events.EmployeeChanged]],
) -> None:
    """Every role the HRIS gives a person, as a fact (the directory keeps only the latest):
    moves are read from consecutive roles (figures.hris_moves)."""
    rows = []
    for env, e in events:
        if isinstance(e, hris_events.EmployeeHired):
            if e.details.role_id is None:
                continue
            reason = "hired"
        elif "role_id" in e.changed_fields:
            reason = e.reason.value
        else:
            continue
        rows.append(
            {
                "tenant_id": env.tenantid,
                "employee_id": e.employee_id,
                "recorded_at": e.recorded_at,
                "effective_on": _midnight(e.effective_date),
                "role_id": e.details.role_id,
                "reason": reason,
            }
        )
    if rows:
        stmt = pg_insert(role_history)
        await uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "employee_id", "recorded_at"],
                set_={c: stmt.excluded[c] for c in ("effective_on", "role_id", "reason")},
            ),
            rows,
        )


async def on_groups(
    uow: UnitOfWork, events: Sequence[tuple[Envelope, hris_events.GroupsRecorded]]
) -> None:
    """A person's group attributes, from the topic only metrics reads, into the directory (a
    record older than the one held is ignored, as for every directory field)."""
    await people.apply_many(
        uow,
        [
            (env.tenantid, e.employee_id, {"group_attributes": e.group_attributes}, e.recorded_at)
            for env, e in events
        ],
    )


def _people_and_roles() -> dict[type[Any], BatchHandler]:
    """The directory's batch handlers, recording roles as well (hires and changes), and the
    group attributes (fairness views)."""
    handlers: dict[type[Any], BatchHandler] = {
        **people.batch_handlers(),
        hris_events.GroupsRecorded: on_groups,
    }
    for kind in (hris_events.EmployeeHired, hris_events.EmployeeChanged):
        directory = handlers[kind]

        async def both(
            uow: UnitOfWork,
            events: Sequence[tuple[Envelope, Any]],
            directory: BatchHandler = directory,
        ) -> None:
            await record_roles(uow, events)  # ids only
            await directory(uow, events)

        handlers[kind] = functools.wraps(directory)(both)
    return handlers


async def on_framework_published(
    uow: UnitOfWork, event: Envelope, e: framework_events.FrameworkPublished
) -> None:
    """Hold the roles of a framework's latest version."""
    tenant = event.tenantid
    held = await held_role_version(uow, tenant, e.framework_id)
    if held is not None and held >= e.version:
        return
    levels = {(fam.id, lv.id): lv for fam in e.families for lv in fam.levels}
    rows = []
    for r in e.roles:
        level = levels.get((r.family_id, r.level_id))
        rows.append(
            {
                "tenant_id": tenant,
                "role_id": r.id,
                "framework_id": e.framework_id,
                "framework_version": e.version,
                "family_id": r.family_id,
                "level_id": r.level_id,
                "rank": level.rank if level else 0,
                "track_ids": list(level.track_ids) if level else [],
                "title": r.title,
            }
        )
    await replace_roles(uow, tenant, e.framework_id, rows)


async def on_posted(uow: UnitOfWork, event: Envelope, e: mobility_events.OpportunityPosted) -> None:
    """An opportunity's posting facts."""
    await merge(
        uow,
        opportunities,
        {"tenant_id": event.tenantid, "opportunity_id": e.opportunity_id},
        {
            "kind": e.kind.value,
            "role_id": e.role_id,
            "family_id": e.family_id,
            "department_id": e.department_id,
            "hiring_manager_id": e.hiring_manager_id,
            "posted_at": e.posted_at,
        },
    )


async def on_filled(uow: UnitOfWork, event: Envelope, e: mobility_events.RoleFilled) -> None:
    """A fill: who moved, from and to which role, and who was passed over."""
    tenant = event.tenantid
    key = {"tenant_id": tenant, "opportunity_id": e.opportunity_id}
    await merge(
        uow,
        opportunities,
        key,
        {
            "filled_at": e.filled_at,
            "internal": e.internal,
            "mover_id": e.employee_id,
            "from_role_id": e.from_role_id,
            "to_role_id": e.to_role_id,
            "move_kind": e.move_kind.value,
        },
    )
    # The fill carries the posting time too: a fill seen before its posting is complete enough.
    await posted_at_if_missing(uow, tenant, e.opportunity_id, e.posted_at)
    await _passed_over(uow, tenant, e.opportunity_id, e.passed_over, e.filled_at)


async def on_passed_over(
    uow: UnitOfWork, event: Envelope, e: mobility_events.CandidatesPassedOver
) -> None:
    """Who was passed over at a fill (the restricted topic; older fills named them in
    `role.filled` itself, which is still read)."""
    await _passed_over(uow, event.tenantid, e.opportunity_id, e.passed_over, e.filled_at)


async def _passed_over(
    uow: UnitOfWork,
    tenant: str,
    opportunity_id: str,
    who: Sequence[mobility_events.PassedOver],
    at: datetime,
) -> None:
    for po in who:
        await merge(
            uow,
            passed_over,
            {
                "tenant_id": tenant,
                "opportunity_id": opportunity_id,
                "employee_id": po.employee_id,
            },
            {"stage": po.stage.value, "at": at},
        )


async def on_closed(uow: UnitOfWork, event: Envelope, e: mobility_events.OpportunityClosed) -> None:
    """An opportunity closed without a fill."""
    await merge(
        uow,
        opportunities,
        {"tenant_id": event.tenantid, "opportunity_id": e.opportunity_id},
        {"closed_at": e.closed_at},
    )


async def _application(
    uow: UnitOfWork,
    event: Envelope,
    application_id: str,
    opportunity_id: str,
    employee_id: str,
    **values: Any,
) -> None:
    await merge(
        uow,
        applications,
        {"tenant_id": event.tenantid, "application_id": application_id},
        {"opportunity_id": opportunity_id, "employee_id": employee_id, **values},
    )


async def on_applied(
    uow: UnitOfWork, event: Envelope, e: mobility_events.ApplicationSubmitted
) -> None:
    """An application."""
    await _application(
        uow, event, e.application_id, e.opportunity_id, e.employee_id, submitted_at=e.submitted_at
    )


async def on_withdrawn(
    uow: UnitOfWork, event: Envelope, e: mobility_events.ApplicationWithdrawn
) -> None:
    """An application withdrawn."""
    await _application(
        uow, event, e.application_id, e.opportunity_id, e.employee_id, withdrawn_at=e.withdrawn_at
    )


async def on_shortlisted(
    uow: UnitOfWork, event: Envelope, e: mobility_events.CandidateShortlisted
) -> None:
    """An application shortlisted."""
    await _application(
        uow,
        event,
        e.application_id,
        e.opportunity_id,
        e.employee_id,
        shortlisted_at=e.shortlisted_at,
    )


def _plan_key(event: Envelope, plan_id: str) -> dict[str, Any]:
    return {"tenant_id": event.tenantid, "plan_id": plan_id}


async def on_plan_created(uow: UnitOfWork, event: Envelope, e: plan_events.PlanCreated) -> None:
    """A plan and its period."""
    values: dict[str, Any] = {"employee_id": e.employee_id, "created_at": e.created_at}
    if e.status is plan_events.PlanStatus.ACTIVE:
        values["approved_at"] = e.created_at
    await merge(uow, plans, _plan_key(event, e.plan_id), values)


async def on_plan_approved(uow: UnitOfWork, event: Envelope, e: plan_events.PlanApproved) -> None:
    """A plan approved."""
    await merge(
        uow,
        plans,
        _plan_key(event, e.plan_id),
        {"employee_id": e.employee_id, "approved_at": e.approved_at},
    )


async def on_plan_completed(uow: UnitOfWork, event: Envelope, e: plan_events.PlanCompleted) -> None:
    """A plan completed or closed, with its outcome."""
    await merge(
        uow,
        plans,
        _plan_key(event, e.plan_id),
        {
            "employee_id": e.employee_id,
            "completed_at": e.completed_at,
            "outcome": e.outcome.value,
            "goals_total": e.goals_total,
            "goals_achieved": e.goals_achieved,
        },
    )


async def on_action_updated(uow: UnitOfWork, event: Envelope, e: plan_events.ActionUpdated) -> None:
    """An action's status: done when, and by hand or from the LMS. A later update wins."""
    done = e.status is plan_events.ActionStatus.DONE
    values = {
        "plan_id": e.plan_id,
        "employee_id": e.employee_id,
        "kind": e.kind.value,
        "status": e.status.value,
        "via": e.via.value,
        "done_at": e.updated_at if done else None,
        "updated_at": e.updated_at,
    }
    stmt = pg_insert(plan_actions).values(tenant_id=event.tenantid, action_id=e.action_id, **values)
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "action_id"],
            set_=values,
            where=plan_actions.c.updated_at <= e.updated_at,
        )
    )


async def on_learning_completed(
    uow: UnitOfWork, event: Envelope, e: learning_events.LearningCompleted
) -> None:
    """An activity completed or passed."""
    await uow.session.execute(
        pg_insert(learning_completions)
        .values(
            tenant_id=event.tenantid,
            statement_id=e.statement_id,
            employee_id=e.employee_id,
            activity_id=e.activity_id,
            completed_at=e.occurred_at,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "statement_id"])
    )


async def on_learning_voided(
    uow: UnitOfWork, event: Envelope, e: learning_events.LearningVoided
) -> None:
    """A completion the LMS voided no longer counts."""
    await uow.session.execute(
        sa.update(learning_completions)
        .where(
            learning_completions.c.tenant_id == event.tenantid,
            learning_completions.c.statement_id == e.statement_id,
        )
        .values(voided=True)
    )


async def on_goal_added(uow: UnitOfWork, event: Envelope, e: plan_events.GoalAdded) -> None:
    """A goal and the gap it closes."""
    await merge(
        uow,
        goals,
        {"tenant_id": event.tenantid, "goal_id": e.goal_id},
        {
            "plan_id": e.plan_id,
            "employee_id": e.employee_id,
            "competency_id": e.competency_id,
            "added_at": e.added_at,
        },
    )


async def on_goal_completed(uow: UnitOfWork, event: Envelope, e: plan_events.GoalCompleted) -> None:
    """A goal's outcome."""
    await merge(
        uow,
        goals,
        {"tenant_id": event.tenantid, "goal_id": e.goal_id},
        {
            "plan_id": e.plan_id,
            "employee_id": e.employee_id,
            "competency_id": e.competency_id,
            "completed_at": e.completed_at,
            "outcome": e.outcome.value,
        },
    )


async def on_conversation(
    uow: UnitOfWork, event: Envelope, e: plan_events.ConversationHeld
) -> None:
    """A career conversation held."""
    await merge(
        uow,
        conversations,
        {"tenant_id": event.tenantid, "conversation_id": e.conversation_id},
        {
            "employee_id": e.employee_id,
            "manager_id": e.manager_id,
            "kind": e.kind.value,
            "held_at": e.held_at,
        },
    )


async def on_bench(uow: UnitOfWork, event: Envelope, e: mobility_events.BenchChanged) -> None:
    """A critical role's bench, as mobility last counted it (an older count never wins)."""
    stmt = pg_insert(benches).values(
        tenant_id=event.tenantid,
        role_id=e.role_id,
        critical=e.critical,
        ready_now=e.ready_now,
        ready_soon=e.ready_soon,
        later=e.later,
        nominated=e.nominated,
        incumbents=e.incumbents,
        changed_at=e.changed_at,
    )
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[benches.c.tenant_id, benches.c.role_id],
            set_={
                c: stmt.excluded[c]
                for c in (
                    "critical",
                    "ready_now",
                    "ready_soon",
                    "later",
                    "nominated",
                    "incumbents",
                    "changed_at",
                )
            },
            where=benches.c.changed_at <= stmt.excluded.changed_at,
        )
    )


async def on_survey(uow: UnitOfWork, event: Envelope, e: hris_events.SurveyResponded) -> None:
    """A pulse survey's answers."""
    for answer in e.answers:
        await merge(
            uow,
            survey_answers,
            {
                "tenant_id": event.tenantid,
                "response_id": e.response_id,
                "question_id": answer.question_id,
            },
            {
                "employee_id": e.employee_id,
                "topic": answer.topic.value,
                "score": answer.score,
                "scale_max": answer.scale_max,
                "responded_at": e.responded_at,
            },
        )


async def on_gaps(
    uow: UnitOfWork, event: Envelope, e: assessment_events.SkillgapIdentified
) -> None:
    """Gap observations and readiness against a role."""
    tenant = event.tenantid
    for g in e.gaps:
        await merge(
            uow,
            gap_observations,
            {
                "tenant_id": tenant,
                "employee_id": e.employee_id,
                "reference": e.reference.value,
                "competency_id": g.competency_id,
                "identified_at": e.identified_at,
            },
            {"role_id": e.role_id, "required": g.required, "current": g.current, "gap": g.gap},
        )
    if e.reference.value == "current" and e.gaps:
        await _close_gaps(uow, tenant, e.employee_id, sorted({g.competency_id for g in e.gaps}))
    await merge(
        uow,
        readiness,
        {
            "tenant_id": tenant,
            "employee_id": e.employee_id,
            "role_id": e.role_id,
            "identified_at": e.identified_at,
        },
        {"reference": e.reference.value, "readiness": e.readiness, "ready": e.ready},
    )


async def _close_gaps(
    uow: UnitOfWork, tenant: str, employee_id: str, competencies: list[str]
) -> None:
    """Recount the gap closings of a person's competencies from all their observations, so that
    one arriving late or out of order corrects them."""
    g, c = gap_observations.c, gap_closings.c
    rows = (
        await uow.session.execute(
            sa.select(g.competency_id, g.identified_at, g.gap).where(
                g.tenant_id == tenant,
                g.employee_id == employee_id,
                g.reference == "current",
                among(g.competency_id, competencies),
            )
        )
    ).all()
    series: dict[str, list[tuple[datetime, int]]] = {}
    for competency, at, gap in rows:
        series.setdefault(competency, []).append((at, gap))
    await uow.session.execute(
        sa.delete(gap_closings).where(
            c.tenant_id == tenant,
            c.employee_id == employee_id,
            among(c.competency_id, competencies),
        )
    )
    closings = [
        {
            "tenant_id": tenant,
            "employee_id": employee_id,
            "competency_id": competency,
            "opened_at": opened,
            "closed_at": closed,
            "days": days(opened, closed),
        }
        for competency, observed in series.items()
        for opened, closed in gap_closings_of(observed)
    ]
    if closings:
        await uow.session.execute(sa.insert(gap_closings), closings)


def handler_groups() -> Sequence[
    tuple[str, dict[type[Any], Handler], dict[type[Any], BatchHandler]]
]:
    """(consumer name, handlers, batch handlers): one consumer group per source, so each scales
    and lags apart. The directory takes whole batches (one read and one write each): HRIS bursts."""
    return (
        ("metrics-frameworks", {framework_events.FrameworkPublished: on_framework_published}, {}),
        ("metrics-people", {hris_events.SurveyResponded: on_survey}, _people_and_roles()),
        (
            "metrics-mobility",
            {
                mobility_events.OpportunityPosted: on_posted,
                mobility_events.RoleFilled: on_filled,
                mobility_events.OpportunityClosed: on_closed,
                mobility_events.ApplicationSubmitted: on_applied,
                mobility_events.ApplicationWithdrawn: on_withdrawn,
                mobility_events.CandidateShortlisted: on_shortlisted,
                mobility_events.CandidatesPassedOver: on_passed_over,
                mobility_events.BenchChanged: on_bench,
            },
            {},
        ),
        (
            "metrics-plans",
            {
                plan_events.PlanCreated: on_plan_created,
                plan_events.PlanApproved: on_plan_approved,
                plan_events.PlanCompleted: on_plan_completed,
                plan_events.GoalAdded: on_goal_added,
                plan_events.GoalCompleted: on_goal_completed,
                plan_events.ConversationHeld: on_conversation,
                plan_events.ActionUpdated: on_action_updated,
            },
            {},
        ),
        (
            "metrics-learning",
            {
                learning_events.LearningCompleted: on_learning_completed,
                learning_events.LearningVoided: on_learning_voided,
            },
            {},
        ),
        ("metrics-skills", {assessment_events.SkillgapIdentified: on_gaps}, {}),
        ("metrics-orgunits", {}, OrgTreeProjection(org_units).batch_handlers()),
    )
