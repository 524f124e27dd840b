"""The manager's pages: the team's skills heatmap, each report (gaps, plan, assessments, a
conversation guide and log), and their postings with ranked, explained candidates."""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from careerstream.console.backend import ApiError, Backend
from careerstream.console.pages.common import form_value, label, name_of, number, role_of
from careerstream.console.web import backend_of, redirect, render, require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)])
Api = Annotated[Backend, Depends(backend_of)]


LINE_SHOWN = 1000
"""How much of a manager's line (direct and indirect reports) `/team` counts: beyond that it
says "at least"."""


async def direct_reports(b: Backend) -> list[dict[str, Any]]:
    """The signed-in manager's direct reports, every page of them (a director's line can be
    far larger than a page; the direct reports are asked for alone)."""
    out: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = await b.get("hris", "/v1/people", direct="true", limit=1000, after=after)
        out.extend(page)
        if len(page) < 1000:
            return out
        after = page[-1]["employee_id"]


@router.get("/team")
async def team(request: Request, b: Api) -> Response:
    me = b.person.employee_id
    direct, line = await b.gather(direct_reports(b), b.get("hris", "/v1/people", limit=LINE_SHOWN))
    gaps = await b.gather(
        *(b.maybe("assessments", f"/v1/employees/{p['employee_id']}/gaps") for p in direct)
    )
    matrix = await b.maybe("assessments", "/v1/skills-matrix", group_by="team", group_id=me)
    competencies: set[str] = set()
    rows = []
    for p, g in zip(direct, gaps, strict=True):
        current = next(
            (a for a in (g or {}).get("analyses", []) if a.get("reference") == "current"), None
        )
        cells = {x["competency_id"]: x for x in (current or {}).get("gaps", [])}
        competencies.update(cells)
        rows.append({"person": p, "analysis": current, "cells": cells})
    team_row: dict[str, Any] = {}
    suppressed = False
    for group in (matrix or {}).get("groups", []):
        for c in group.get("competencies", []):
            team_row[c["competency_id"]] = c
            competencies.add(c["competency_id"])
        suppressed = suppressed or bool(group.get("suppressed"))
    return render(
        request,
        "manager/team.html",
        rows=rows,
        competencies=sorted(competencies),
        team_row=team_row,
        matrix=matrix,
        suppressed=suppressed,
        indirect=sum(1 for p in line if p.get("manager_id") != me),
        indirect_more=len(line) >= LINE_SHOWN,
        label=label,
    )


@router.get("/team/{employee_id}")
async def report(request: Request, employee_id: str, b: Api) -> Response:
    return await _report(request, b, employee_id, {})


async def _report(
    request: Request, b: Backend, employee_id: str, errors: dict[str, str], status: int = 200
) -> Response:
    gaps, plans, assessments, conversations, name = await b.gather(
        b.get("assessments", f"/v1/employees/{employee_id}/gaps"),
        b.get("plans", "/v1/plans", employee_id=employee_id),
        b.get("assessments", "/v1/assessments", employee_id=employee_id),
        b.maybe("plans", f"/v1/employees/{employee_id}/conversations"),
        name_of(b, employee_id),
    )
    role = await role_of(b, employee_id)
    target = next(
        (a["role_id"] for a in gaps.get("analyses", []) if a.get("reference") == "target"), None
    )
    guides: list[Any] = []
    if role:  # none at the top of a track (the API says 404: ask for a lateral move)
        guides = await b.maybe("plans", "/v1/guides", from_role=role, to_role=target) or []
    return render(
        request,
        "manager/report.html",
        status,
        employee_id=employee_id,
        name=name,
        role=role,
        analyses=gaps.get("analyses", []),
        plans=plans,
        assessments=assessments,
        conversations=conversations or [],
        guide=guides[0] if guides else None,
        label=label,
        errors=errors,
        now=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M"),
    )


@router.post("/team/{employee_id}/conversations")
async def log_conversation(request: Request, employee_id: str, b: Api) -> Response:
    form = await request.form()
    held = form_value(form, "held_at")
    body = {
        "employee_id": employee_id,
        "kind": form_value(form, "kind") or "career",
        "held_at": (held + ":00Z") if len(held) == 16 else held,
        "notes": form_value(form, "notes"),
        "follow_ups": [x.strip() for x in form_value(form, "follow_ups").splitlines() if x.strip()],
    }
    try:
        await b.post("plans", "/v1/conversations", body)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return await _report(
            request, b, employee_id, {"conversation": exc.detail, **exc.field_errors()}, 422
        )
    return redirect(f"/team/{employee_id}")


# -- postings ----------------------------------------------------------------------------------


@router.get("/postings")
async def postings(request: Request, b: Api) -> Response:
    rows = await b.get("mobility", "/v1/opportunities")
    mine = [o for o in rows if o.get("hiring_manager_id") == b.person.employee_id]
    return render(request, "manager/postings.html", postings=mine, label=label, errors={}, form={})


@router.post("/postings")
async def post_opportunity(request: Request, b: Api) -> Response:
    form = await request.form()
    body: dict[str, Any] = {
        "title": form_value(form, "title"),
        "kind": form_value(form, "kind") or "gig",
        "description": form_value(form, "description"),
        "role_id": form_value(form, "role_id") or None,
        "time_share": number(form_value(form, "time_share") or "100"),
    }
    weeks = form_value(form, "duration_weeks")
    if weeks:
        body["duration_weeks"] = number(weeks)
    try:
        created = await b.post("mobility", "/v1/opportunities", body)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        rows = await b.get("mobility", "/v1/opportunities")
        mine = [o for o in rows if o.get("hiring_manager_id") == b.person.employee_id]
        return render(
            request,
            "manager/postings.html",
            422,
            postings=mine,
            label=label,
            errors={"form": exc.detail, **exc.field_errors()},
            form=body,
        )
    return redirect(f"/postings/{created['opportunity_id']}")


@router.get("/postings/{opportunity_id}")
async def posting(request: Request, opportunity_id: str, b: Api) -> Response:
    return await _posting(request, b, opportunity_id, {})


async def _posting(
    request: Request, b: Backend, opportunity_id: str, errors: dict[str, str], status: int = 200
) -> Response:
    o, apps = await b.gather(
        b.get("mobility", f"/v1/opportunities/{opportunity_id}"),
        b.get("mobility", "/v1/applications", opportunity_id=opportunity_id),
    )
    candidates: list[Any] = []
    if o.get("status") == "open":
        candidates = (
            await b.maybe("mobility", f"/v1/opportunities/{opportunity_id}/candidates") or []
        )
    return render(
        request,
        "manager/posting.html",
        status,
        o=o,
        applications=apps,
        candidates=candidates,
        label=label,
        errors=errors,
    )


async def _posting_action(
    request: Request, b: Backend, opportunity_id: str, path: str, body: Any = None
) -> Response:
    try:
        await b.post("mobility", path, body)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return await _posting(request, b, opportunity_id, {"action": exc.detail or str(exc)}, 422)
    return redirect(f"/postings/{opportunity_id}")


@router.post("/postings/{opportunity_id}/shortlist/{application_id}")
async def shortlist(request: Request, opportunity_id: str, application_id: str, b: Api) -> Response:
    return await _posting_action(
        request, b, opportunity_id, f"/v1/applications/{application_id}/shortlist"
    )


@router.post("/postings/{opportunity_id}/select/{application_id}")
async def select(request: Request, opportunity_id: str, application_id: str, b: Api) -> Response:
    return await _posting_action(
        request,
        b,
        opportunity_id,
        f"/v1/opportunities/{opportunity_id}/select",
        {"application_id": application_id},
    )
