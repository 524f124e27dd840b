"""HTTP API of the metrics service (`/v1/metrics`): JSON for dashboards, CSV for spreadsheets.

Only hr_admin reads the whole tenant; a manager reads their own reporting line
(`manager=<themselves or a manager below them>` is required). Figures over
fewer people than the anonymity threshold are suppressed, and say so.
Definitions: services/metrics/METRICS.md.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from careerstream.metrics.adapters.orm import employees
from careerstream.metrics.domain.definitions import Window
from careerstream.metrics.service_layer import figures, scope, views
from careerstream.servicekit import relation
from careerstream.servicekit.auth import Role
from careerstream.servicekit.deps import CurrentPrincipal, Uow
from careerstream.servicekit.problems import Problem
from careerstream.servicekit.types import Day

router = APIRouter(prefix="/v1/metrics", tags=["metrics"])


def _day(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


async def _ask(
    request: Request,
    principal: CurrentPrincipal,
    uow: Uow,
    from_: Annotated[
        Day | None, Query(alias="from", description="first day (default: a year before `to`)")
    ] = None,
    to: Annotated[
        Day | None, Query(description="day after the last day (default: tomorrow)")
    ] = None,
    department: str | None = None,
    family: Annotated[
        str | None, Query(description="job family (of the person's current role)")
    ] = None,
    track: str | None = None,
    level: Annotated[
        str | None, Query(description="level id (of the person's current role)")
    ] = None,
    manager: Annotated[str | None, Query(description="everyone below this manager")] = None,
) -> views.Question:
    end = _day(to) if to else _day(datetime.now(UTC).date() + timedelta(days=1))
    start = _day(from_) if from_ else end - timedelta(days=365)
    if start >= end:
        raise Problem(
            422, "Invalid request", f"from ({start.date()}) must be before to ({end.date()})"
        )
    if not principal.has(Role.HR_ADMIN):
        if manager is None:
            raise Problem(
                403,
                "Forbidden",
                "only hr_admin reads the whole tenant; a manager asks for manager=<themselves or a manager below them>",
            )
        if manager != principal.subject:
            async with uow() as u:
                below = await relation.manages(
                    u, employees, principal.tenant_id, principal.subject, manager
                )
            if not below:
                raise Problem(403, "Forbidden", f"'{manager}' is not in your reporting line")
    threshold: int = request.app.state.runtime.settings.anonymity_threshold
    return views.Question(
        principal.tenant_id,
        scope.Filters(Window(start, end), department, family, track, level, manager),
        threshold,
        viewer=None if principal.has(Role.HR_ADMIN) else principal.subject,
    )


Asked = Annotated[views.Question, Depends(_ask)]


def _policy(request: Request) -> views.Policy:
    settings = request.app.state.runtime.settings
    return views.Policy(settings.view_max_age_seconds, settings.view_keep_warm_seconds)


async def _answer(request: Request, view: str, q: views.Question, **extra: Any) -> Response:
    """The view's answer, kept or computed (service_layer/views.py), as the JSON it was kept as."""
    asked = replace(q, extra=extra)
    text = await views.answer_json(request.app.state.runtime.uow, view, asked, _policy(request))
    return Response(text, media_type="application/json")


def _measured_at(q: views.Question) -> str:
    """When retention is measured: the window's end, or the current hour if that is later."""
    return min(q.filters.window.end.isoformat(), views.this_hour())


@router.get(
    "/mobility",
    response_model=dict[str, Any],
    summary="Internal hire, promotion and lateral move rates, time-to-fill, applications",
)
async def mobility(request: Request, ask: Asked) -> Response:
    return await _answer(request, "mobility", ask)


@router.get(
    "/development",
    response_model=dict[str, Any],
    summary="Active plans, plan and goal completion, time to close a gap",
)
async def development(request: Request, ask: Asked) -> Response:
    return await _answer(request, "development", ask)


@router.get(
    "/learning",
    response_model=dict[str, Any],
    summary="Courses completed through the LMS, and how much of the plans' actions it moved",
)
async def learning(request: Request, ask: Asked) -> Response:
    return await _answer(request, "learning", ask)


@router.get(
    "/succession",
    summary="Bench strength: critical roles with a successor ready now, and how deep the bench is",
    description=(
        "hr_admin only. Counts of critical roles and of their successors by readiness, as the "
        "mobility service last counted them (nominations and calibrated levels); `family` "
        "narrows to the critical roles of one job family. No person is named or counted alone."
    ),
)
async def succession(
    principal: CurrentPrincipal,
    uow: Uow,
    family: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
) -> dict[str, Any]:
    if not principal.has(Role.HR_ADMIN):
        raise Problem(403, "Forbidden", "only hr_admin reads bench strength")
    async with uow() as u:
        return await figures.succession_figures(u, principal.tenant_id, family)


@router.get(
    "/skills",
    response_model=dict[str, Any],
    summary="Gap heatmap by team and competency, its trend, the readiness pipeline",
)
async def skills(
    request: Request,
    ask: Asked,
    teams: Annotated[
        int | None,
        Query(
            ge=1,
            le=100_000,
            description=(
                "only the heatmap of the N teams with the largest mean gap in any competency "
                "(`teams_total` says how many there are); default: every team"
            ),
        ),
    ] = None,
) -> Response:
    if teams is None:
        return await _answer(request, "skills", ask)
    return await _answer(request, "skills", ask, teams=teams)


@router.get(
    "/engagement",
    response_model=dict[str, Any],
    summary="Career conversations, manager confidence and growth sentiment",
)
async def engagement(request: Request, ask: Asked) -> Response:
    return await _answer(request, "engagement", ask)


@router.get(
    "/retention",
    response_model=dict[str, Any],
    summary="6- and 12-month retention of the promoted, the passed over and everyone else",
)
async def retention(request: Request, ask: Asked) -> Response:
    return await _answer(request, "retention", ask, now=_measured_at(ask))


@router.get(
    "/fairness",
    response_model=dict[str, Any],
    summary="Promotion and internal-fill rates by a group attribute of the HRIS",
)
async def fairness(
    request: Request, ask: Asked, attribute: Annotated[str, Query(min_length=1)]
) -> Response:
    return await _answer(request, "fairness", ask, attribute=attribute)


@router.get(
    "/headline",
    response_model=dict[str, Any],
    summary="The headline figures (those of the daily snapshot)",
)
async def headline(request: Request, ask: Asked) -> Response:
    return await _answer(request, "headline", ask, now=_measured_at(ask))


TrendMetric = Literal[
    "internal_hire_rate",
    "promotion_rate",
    "lateral_move_rate",
    "time_to_fill_internal_median_days",
    "time_to_fill_external_median_days",
    "applications_per_opportunity",
    "plan_completion_rate",
    "goal_completion_rate",
    "active_plan_share",
    "conversations_per_employee",
]


@router.get("/trends", response_model=dict[str, Any], summary="A figure month by month")
async def trends(
    request: Request,
    ask: Asked,
    metric: TrendMetric,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> Response:
    return await _answer(request, "trends", ask, metric=metric, months=months)


@router.get(
    "/export.csv",
    summary="The headline figures as CSV (one row per figure)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_csv(request: Request, ask: Asked) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["figure", "value", "from", "to", "filters"])
    f = ask.filters
    described = ";".join(
        f"{k}={v}" for k, v in f.describe().items() if k not in ("from", "to") and v
    )
    asked = replace(ask, extra={"now": _measured_at(ask)})
    body = await views.answer(request.app.state.runtime.uow, "headline", asked, _policy(request))
    if body["suppressed"]:
        rows: list[tuple[str, Any]] = [("suppressed", body["reason"])]
    else:
        rows = list(body["figures"].items())
    for name, value in rows:
        writer.writerow(
            [
                name,
                "" if value is None else value,
                f.window.start.date(),
                f.window.end.date(),
                described,
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="careerstream-metrics.csv"'},
    )
