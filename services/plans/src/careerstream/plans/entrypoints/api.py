"""HTTP API of the plans service (`/v1`).

The employee owns their plan (goals, progress, actions); their managers
(direct or indirect) read it, approve it, hold check-ins and log career
conversations; hr_admin reads plans and completion figures but never private
notes. What the caller may not see is 404; what they may see but not do, 403.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from careerstream.contracts.events.plans import ConversationKind, GoalOutcome
from careerstream.plans.domain.rules import KINDS
from careerstream.plans.service_layer import conversations as conv
from careerstream.plans.service_layer import goals, learning, plans, views
from careerstream.servicekit.audit import note_subject
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.edge import raw_body
from careerstream.servicekit.errors import unit as _unit
from careerstream.servicekit.problems import Problem
from careerstream.servicekit.types import Day

router = APIRouter(prefix="/v1")


class Strict(BaseModel):
    model_config = {"extra": "forbid"}


# -- plans ---------------------------------------------------------------------------------


class PlanSummary(BaseModel):
    plan_id: str
    employee_id: str
    period_start: date
    period_end: date
    status: str
    outcome: str | None


@router.get(
    "/plans", tags=["plans"], summary="Plans you own, of people you manage, or (hr_admin) all"
)
async def list_plans(
    principal: CurrentPrincipal,
    uow: Uow,
    employee_id: str | None = None,
    status: Literal["suggested", "draft", "active", "completed", "closed"] | None = None,
) -> list[PlanSummary]:
    async with _unit(uow) as u:
        rows = await views.list_plans(u, principal, employee_id, status)
    note_subject(*(r.employee_id for r in rows))
    return [
        PlanSummary(
            plan_id=r.plan_id,
            employee_id=r.employee_id,
            period_start=r.period_start,
            period_end=r.period_end,
            status=r.status,
            outcome=r.outcome,
        )
        for r in rows
    ]


@router.get("/plans/summary", tags=["plans"], summary="Plan and goal completion figures (hr_admin)")
async def summary(principal: HrAdmin, uow: Uow) -> dict[str, Any]:
    async with _unit(uow) as u:
        return await views.completion_summary(u, principal.tenant_id)


class NewPlanIn(Strict):
    employee_id: str


@router.post("/plans", status_code=201, tags=["plans"], summary="Start a draft plan by hand")
async def create_plan(
    body: NewPlanIn, principal: CurrentPrincipal, uow: Uow, response: Response
) -> dict[str, Any]:
    async with _unit(uow) as u:
        plan = await plans.new_plan(u, principal, body.employee_id)
        view = await views.plan_view(u, principal, plan.plan_id)
        await u.commit()
    response.headers["Location"] = f"/v1/plans/{plan.plan_id}"
    return view


@router.get(
    "/plans/{plan_id}", tags=["plans"], summary="A plan with its goals, actions and check-ins"
)
async def get_plan(plan_id: str, principal: CurrentPrincipal, uow: Uow) -> dict[str, Any]:
    async with _unit(uow) as u:
        view = await views.plan_view(u, principal, plan_id)
    note_subject(str(view.get("employee_id", "")))
    return view


@router.post(
    "/plans/{plan_id}/accept", tags=["plans"], summary="Accept a suggested plan as a draft"
)
async def accept(plan_id: str, principal: CurrentPrincipal, uow: Uow) -> dict[str, Any]:
    async with _unit(uow) as u:
        await plans.accept(u, principal, plan_id)
        view = await views.plan_view(u, principal, plan_id)
        await u.commit()
    return view


@router.post(
    "/plans/{plan_id}/approve",
    tags=["plans"],
    summary="Approve a draft plan (the employee's manager)",
)
async def approve(plan_id: str, principal: CurrentPrincipal, uow: Uow) -> dict[str, Any]:
    async with _unit(uow) as u:
        await plans.approve(u, principal, plan_id)
        view = await views.plan_view(u, principal, plan_id)
        await u.commit()
    return view


class GoalBody(Strict):
    competency_id: str
    to_level: int = Field(ge=1, le=10)
    from_level: int = Field(default=0, ge=0, le=10)
    target_date: Day | None = None
    """Defaults to the end of the plan's period; never in the past."""


@router.post(
    "/plans/{plan_id}/goals",
    status_code=201,
    tags=["plans"],
    summary="Add a goal tied to a competency",
)
async def add_goal(
    plan_id: str, body: GoalBody, principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with _unit(uow) as u:
        goal = await goals.add_goal_by_hand(
            u,
            principal,
            plan_id,
            goals.GoalIn(body.competency_id, body.to_level, body.from_level, body.target_date),
        )
        view = await views.plan_view(u, principal, plan_id)
        await u.commit()
    return {"goal_id": goal.goal_id, "plan": view}


class ProgressIn(Strict):
    progress: int = Field(ge=0, le=100)
    """Percent of the way to the goal."""


@router.post("/goals/{goal_id}/progress", tags=["goals"], summary="Record progress on your goal")
async def progress(
    goal_id: str, body: ProgressIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with _unit(uow) as u:
        await goals.progress(u, principal, goal_id, body.progress)
        await u.commit()
    return {"goal_id": goal_id, "progress": body.progress}


class CompleteIn(Strict):
    outcome: Literal["achieved", "dropped"] = "achieved"


@router.post(
    "/goals/{goal_id}/complete", tags=["goals"], summary="Close a goal: achieved or dropped"
)
async def complete(
    goal_id: str, body: CompleteIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with _unit(uow) as u:
        plan_completed = await goals.complete_goal(u, principal, goal_id, GoalOutcome(body.outcome))
        await u.commit()
    return {"goal_id": goal_id, "outcome": body.outcome, "plan_completed": plan_completed}


class ActionIn(Strict):
    kind: str = Field(description=", ".join(KINDS))
    title: str = Field(min_length=1, max_length=300)
    owner_id: str
    target_date: Day
    entry_id: str | None = Field(default=None, min_length=1, max_length=200)
    """The catalogue entry the action is (its LMS learning records then move it)."""


@router.post(
    "/goals/{goal_id}/actions", status_code=201, tags=["goals"], summary="Plan an action for a goal"
)
async def add_action(
    goal_id: str, body: ActionIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, str]:
    async with _unit(uow) as u:
        action_id = await goals.add_action(
            u,
            principal,
            goal_id,
            body.kind,
            body.title,
            body.owner_id,
            body.target_date,
            entry_id=body.entry_id,
        )
        await u.commit()
    return {"action_id": action_id}


class ActionStatusIn(Strict):
    status: Literal["planned", "in_progress", "done", "cancelled"]


@router.post("/actions/{action_id}/status", tags=["goals"], summary="Update an action's status")
async def action_status(
    action_id: str, body: ActionStatusIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, str]:
    async with _unit(uow) as u:
        await goals.set_action_status(u, principal, action_id, body.status)
        await u.commit()
    return {"action_id": action_id, "status": body.status}


@router.get(
    "/goals/{goal_id}/suggestions",
    tags=["goals"],
    summary="Catalogue actions for a goal, best first",
)
async def goal_suggestions(
    goal_id: str, principal: CurrentPrincipal, uow: Uow
) -> list[dict[str, Any]]:
    async with _unit(uow) as u:
        ranked, name = await goals.suggestions_for(u, principal, goal_id)
        return views.suggestions_as_dicts(ranked, name)


class CheckinIn(Strict):
    notes: str = Field(min_length=1, max_length=10_000)
    """Private to the employee and their managers."""
    progress_rating: int = Field(ge=1, le=5)


@router.post(
    "/plans/{plan_id}/checkins",
    status_code=201,
    tags=["plans"],
    summary="Record a check-in (manager)",
)
async def checkin(
    plan_id: str, body: CheckinIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, str]:
    async with _unit(uow) as u:
        checkin_id = await plans.checkin(u, principal, plan_id, body.notes, body.progress_rating)
        await u.commit()
    return {"checkin_id": checkin_id}


# -- settings and catalogue ----------------------------------------------------------------


class SettingsIn(Strict):
    plan_mode: Literal["draft", "suggest"] = "draft"
    """draft: gaps create draft plans; suggest: they create suggestions the employee or manager accepts."""
    period_months: Literal[1, 2, 3, 4, 6, 12] = 6


@router.get("/settings", tags=["settings"], summary="The tenant's plan settings")
async def get_settings(principal: CurrentPrincipal, uow: Uow) -> SettingsIn:
    async with _unit(uow) as u:
        mode, months = await views.settings(u, principal.tenant_id)
    return SettingsIn.model_validate({"plan_mode": mode, "period_months": months})


@router.put("/settings", tags=["settings"], summary="Change the tenant's plan settings (hr_admin)")
async def put_settings(body: SettingsIn, principal: HrAdmin, uow: Uow) -> SettingsIn:
    async with _unit(uow) as u:
        await views.put_settings(u, principal.tenant_id, body.plan_mode, body.period_months)
        await u.commit()
    return body


class CatalogueIn(Strict):
    competency_id: str = Field(description="a competency id, or * for any")
    kind: Literal["course", "stretch_assignment", "mentoring", "project", "rotation"]
    title: str = Field(min_length=1, max_length=300)
    min_level: int = Field(ge=0, le=10)
    max_level: int = Field(ge=0, le=10)
    effort_weeks: int = Field(ge=0, le=104)


@router.put(
    "/catalogue/{entry_id}", tags=["settings"], summary="Add or change a catalogue entry (hr_admin)"
)
async def put_entry(
    entry_id: str, body: CatalogueIn, principal: HrAdmin, uow: Uow
) -> dict[str, Any]:
    if body.min_level > body.max_level:
        message = f"min_level {body.min_level} is above max_level {body.max_level}"
        raise Problem(
            422,
            "Invalid request",
            message,
            errors=[{"field": "body.max_level", "message": message, "received": body.max_level}],
        )
    async with _unit(uow) as u:
        values = await views.put_entry(u, principal.tenant_id, entry_id, body.model_dump())
        await u.commit()
    return values


EntryId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f/]+$")]


@router.post(
    "/catalogue/{entry_id}/retire",
    tags=["settings"],
    summary="Retire a catalogue entry: no longer suggested; plans that use it keep it (hr_admin)",
)
async def retire_entry(entry_id: EntryId, principal: HrAdmin, uow: Uow) -> dict[str, Any]:
    async with _unit(uow) as u:
        found = await views.retire_entry(u, principal, entry_id, retire=True)
        await u.commit()
    return found


@router.post(
    "/catalogue/{entry_id}/reinstate",
    tags=["settings"],
    summary="Put a retired catalogue entry back in use (hr_admin)",
)
async def reinstate_entry(entry_id: EntryId, principal: HrAdmin, uow: Uow) -> dict[str, Any]:
    async with _unit(uow) as u:
        found = await views.retire_entry(u, principal, entry_id, retire=False)
        await u.commit()
    return found


@router.get(
    "/catalogue",
    tags=["settings"],
    summary="The catalogue: the tenant's entries and the seeded ones",
)
async def get_catalogue(principal: CurrentPrincipal, uow: Uow) -> list[dict[str, Any]]:
    async with _unit(uow) as u:
        return await views.catalogue(u, principal.tenant_id)


# -- learning records ----------------------------------------------------------------------


class ActivitiesIn(Strict):
    activity_ids: list[
        Annotated[
            str, Field(min_length=3, max_length=2048, pattern=r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
        ]
    ] = Field(min_length=1, max_length=100)
    """The LMS's activity IRIs that are this entry (as its xAPI statements name them)."""


@router.put(
    "/catalogue/{entry_id}/activities",
    tags=["learning records"],
    summary="Map LMS activities to a catalogue entry, and replay the records that waited (hr_admin)",
)
async def map_activities(
    entry_id: EntryId, body: ActivitiesIn, principal: HrAdmin, uow: Uow
) -> dict[str, Any]:
    async with _unit(uow) as u:
        out = await learning.map_activities(u, principal.tenant_id, entry_id, body.activity_ids)
        await u.commit()
    return out


@router.get(
    "/learning/activities",
    tags=["learning records"],
    summary="The LMS activities learning records named: mapped or waiting for a mapping (hr_admin)",
)
async def learning_activities(
    principal: HrAdmin, uow: Uow, mapped: bool | None = None
) -> list[dict[str, Any]]:
    async with _unit(uow) as u:
        return await learning.activities(u, principal.tenant_id, mapped=mapped)


@router.post(
    "/learning/catalogue-imports",
    tags=["learning records"],
    summary="Import an LMS course catalogue (CSV): a preview of what maps, or (apply=true) do it (hr_admin)",
    description=(
        "Columns: activity_id and title (required), competency_id, kind, min_level, max_level, "
        "effort_weeks, entry_id. Without `apply` nothing changes: each row says the entry it "
        "becomes (new, changed or unchanged), what the activity mapped to before and how many "
        "learning records wait for it. With `apply=true` the entries and mappings are written "
        "and the waiting records replayed. A file with any problem is refused whole (422), "
        "naming every problem by line and column."
    ),
    openapi_extra=raw_body(
        {
            "text/csv": {"schema": {"type": "string"}},
            "application/csv": {"schema": {"type": "string"}},
        },
        max_bytes=16 * 1024 * 1024,
    ),
)
async def import_courses(
    request: Request, principal: HrAdmin, uow: Uow, apply: bool = False
) -> dict[str, Any]:
    body = await request.body()
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problem(
            422,
            "Invalid file",
            f"the file is not UTF-8 text (byte {exc.start})",
            errors=[{"field": "<body>", "message": "must be UTF-8 CSV"}],
        ) from exc
    async with _unit(uow) as u:
        out = await learning.import_courses(u, principal.tenant_id, text, apply=apply)
        if apply:
            await u.commit()
    return out


# -- conversations -------------------------------------------------------------------------


class ConversationIn(Strict):
    employee_id: str
    kind: ConversationKind = ConversationKind.CAREER
    held_at: datetime
    notes: str = Field(default="", max_length=20_000)
    """Private to the employee and their managers."""
    follow_ups: list[str] = Field(default=[], max_length=20)


@router.post(
    "/conversations",
    status_code=201,
    tags=["conversations"],
    summary="Log a career conversation (manager)",
)
async def log_conversation(
    body: ConversationIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, str]:
    async with _unit(uow) as u:
        cid = await conv.log(
            u, principal, body.employee_id, body.kind, body.held_at, body.notes, body.follow_ups
        )
        await u.commit()
    return {"conversation_id": cid}


@router.get(
    "/employees/{employee_id}/conversations",
    tags=["conversations"],
    summary="An employee's conversations",
)
async def list_conversations(
    employee_id: str, principal: CurrentPrincipal, uow: Uow
) -> list[dict[str, Any]]:
    async with _unit(uow) as u:
        return await conv.list_for(u, principal, employee_id)


class FollowUpGoalIn(GoalBody):
    pass


@router.post(
    "/conversations/{conversation_id}/follow-ups/{index}/goal",
    status_code=201,
    tags=["conversations"],
    summary="Turn an agreed follow-up into a goal of the employee's plan",
)
async def follow_up_goal(
    conversation_id: str,
    index: Annotated[int, Path(ge=0, le=99, description="the follow-up's position (from 0)")],
    body: FollowUpGoalIn,
    principal: CurrentPrincipal,
    uow: Uow,
) -> dict[str, str]:
    async with _unit(uow) as u:
        goal, plan_id = await conv.follow_up_to_goal(
            u,
            principal,
            conversation_id,
            index,
            goals.GoalIn(body.competency_id, body.to_level, body.from_level, body.target_date),
        )
        await u.commit()
    return {"goal_id": goal.goal_id, "plan_id": plan_id}


@router.get(
    "/guides",
    tags=["conversations"],
    summary="Conversation guides: what changes in each competency for a move, and what to ask",
)
async def get_guides(
    principal: CurrentPrincipal, uow: Uow, from_role: str, to_role: str | None = None
) -> list[dict[str, Any]]:
    async with _unit(uow) as u:
        return await conv.guides(u, principal.tenant_id, from_role, to_role)
