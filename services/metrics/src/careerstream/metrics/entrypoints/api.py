"""HTTP API of the metrics service (`/v1/metrics`): JSON for dashboards, CSV for spreadsheets.

Only hr_admin reads the whole tenant; a manager reads their own reporting line
(`manager=<themselves or a manager below them>` is required). Figures over
fewer people than the anonymity threshold are suppressed, and say so.
Definitions: services/metrics/METRICS.md.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

import csv
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from careerstream.metrics.adapters.orm import employees
from careerstream.metrics.domain.definitions import Window
from careerstream.metrics.service_layer import figures, privacy, scope, workforce
from careerstream.servicekit import relation
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.deps import CurrentPrincipal, Uow
from careerstream.servicekit.problems import Problem
from careerstream.servicekit.types import Day
from careerstream.servicekit.uow import UnitOfWork

router = APIRouter(prefix="/v1/metrics", tags=["metrics"])


@dataclass(frozen=True)
class Ask:
    principal: Principal
    filters: scope.Filters
    threshold: int


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
) -> Ask:
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
    return Ask(
        principal,
        scope.Filters(Window(start, end), department, family, track, level, manager),
        threshold,
    )


Asked = Annotated[Ask, Depends(_ask)]


async def _run(
    uow: Any, ask: Ask, compute: Callable[[UnitOfWork], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    async with uow() as u:
        size = await scope.size(u, ask.principal.tenant_id, ask.filters)
        base: dict[str, Any] = {
            "filters": ask.filters.describe(),
            "anonymity_threshold": ask.threshold,
        }
        why = await _suppressed(u, ask, ask.filters, size)
        if why is not None:
            return {**base, "suppressed": True, "reason": why}
        return {**base, "suppressed": False, **(await compute(u))}


async def _suppressed(u: UnitOfWork, ask: Ask, f: scope.Filters, size: int) -> str | None:
    """Why a view over these people is withheld (METRICS.md, "Anonymity"), or None."""
    k = ask.threshold
    if size < k:
        return f"the filters select {'fewer than ' + str(k) if size else 'no'} people"
    viewer = None if ask.principal.has(Role.HR_ADMIN) else ask.principal.subject
    return await privacy.differencing(u, ask.principal.tenant_id, f, size, k, viewer=viewer)


@router.get(
    "/mobility",
    summary="Internal hire, promotion and lateral move rates, time-to-fill, applications",
)
async def mobility(ask: Asked, uow: Uow) -> dict[str, Any]:
    return await _run(
        uow, ask, lambda u: figures.mobility_figures(u, ask.principal.tenant_id, ask.filters)
    )


@router.get("/development", summary="Active plans, plan and goal completion, time to close a gap")
async def development(ask: Asked, uow: Uow) -> dict[str, Any]:
    return await _run(
        uow, ask, lambda u: figures.development_figures(u, ask.principal.tenant_id, ask.filters)
    )


@router.get(
    "/learning",
    summary="Courses completed through the LMS, and how much of the plans' actions it moved",
)
async def learning(ask: Asked, uow: Uow) -> dict[str, Any]:
    return await _run(
        uow, ask, lambda u: figures.learning_figures(u, ask.principal.tenant_id, ask.filters)
    )


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
    "/skills", summary="Gap heatmap by team and competency, its trend, the readiness pipeline"
)
async def skills(ask: Asked, uow: Uow) -> dict[str, Any]:
    return await _run(
        uow,
        ask,
        lambda u: figures.skills_figures(u, ask.principal.tenant_id, ask.filters, ask.threshold),
    )


@router.get("/engagement", summary="Career conversations, manager confidence and growth sentiment")
async def engagement(ask: Asked, uow: Uow) -> dict[str, Any]:
    return await _run(
        uow,
        ask,
        lambda u: workforce.engagement_figures(
            u, ask.principal.tenant_id, ask.filters, ask.threshold
        ),
    )


@router.get(
    "/retention",
    summary="6- and 12-month retention of the promoted, the passed over and everyone else",
)
async def retention(ask: Asked, uow: Uow) -> dict[str, Any]:
    as_of = min(ask.filters.window.end, datetime.now(UTC))
    return await _run(
        uow,
        ask,
        lambda u: workforce.retention_figures(
            u, ask.principal.tenant_id, ask.filters, ask.threshold, as_of
        ),
    )


@router.get(
    "/fairness", summary="Promotion and internal-fill rates by a group attribute of the HRIS"
)
async def fairness(
    ask: Asked, uow: Uow, attribute: Annotated[str, Query(min_length=1)]
) -> dict[str, Any]:
    return await _run(
        uow,
        ask,
        lambda u: workforce.fairness_figures(
            u, ask.principal.tenant_id, ask.filters, attribute, ask.threshold
        ),
    )


@router.get("/headline", summary="The headline figures (those of the daily snapshot)")
async def headline(ask: Asked, uow: Uow) -> dict[str, Any]:
    async def compute(u: UnitOfWork) -> dict[str, Any]:
        return {
            "figures": await workforce.headline(
                u, ask.principal.tenant_id, ask.filters, ask.threshold
            )
        }

    return await _run(uow, ask, compute)


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


@router.get("/trends", summary="A figure month by month")
async def trends(
    ask: Asked, uow: Uow, metric: TrendMetric, months: Annotated[int, Query(ge=1, le=36)] = 12
) -> dict[str, Any]:
    end = ask.filters.window.end
    first = date(end.year, end.month, 1)
    points = []
    for i in range(months - 1, -1, -1):
        y, m = divmod(first.month - 1 - i, 12)
        start_d = date(first.year + y, m + 1, 1)
        ny, nm = divmod(m + 1, 12)
        end_d = date(first.year + y + ny, nm + 1, 1)
        f = scope.Filters(
            Window(_day(start_d), _day(end_d)),
            ask.filters.department,
            ask.filters.family,
            ask.filters.track,
            ask.filters.level,
            ask.filters.manager,
        )
        async with uow() as u:
            size = await scope.size(u, ask.principal.tenant_id, f)
            why = await _suppressed(u, ask, f, size)
            if why is not None:
                points.append(
                    {
                        "month": start_d.isoformat()[:7],
                        "value": None,
                        "suppressed": True,
                        "reason": why,
                    }
                )
                continue
            if metric in ("plan_completion_rate", "goal_completion_rate", "active_plan_share"):
                values = await figures.development_figures(u, ask.principal.tenant_id, f)
            elif metric == "conversations_per_employee":
                values = await workforce.engagement_figures(
                    u, ask.principal.tenant_id, f, ask.threshold
                )
            else:
                values = await figures.mobility_figures(u, ask.principal.tenant_id, f)
        points.append(
            {"month": start_d.isoformat()[:7], "value": values[metric], "suppressed": False}
        )
    return {"metric": metric, "filters": ask.filters.describe(), "points": points}


@router.get(
    "/export.csv",
    summary="The headline figures as CSV (one row per figure)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_csv(ask: Asked, uow: Uow) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["figure", "value", "from", "to", "filters"])
    f = ask.filters
    described = ";".join(
        f"{k}={v}" for k, v in f.describe().items() if k not in ("from", "to") and v
    )
    async with uow() as u:
        size = await scope.size(u, ask.principal.tenant_id, f)
        why = await _suppressed(u, ask, f, size)
        if why is not None:
            writer.writerow(
                [
                    "suppressed",
                    why,
                    f.window.start.date(),
                    f.window.end.date(),
                    described,
                ]
            )
        else:
            for name, value in (
                await workforce.headline(u, ask.principal.tenant_id, f, ask.threshold)
            ).items():
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
