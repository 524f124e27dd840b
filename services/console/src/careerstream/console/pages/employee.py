"""The employee's pages: career path, gaps, assessments, plan, marketplace, aspirations.

The plan and assessment pages serve managers too: what each may do there is what
the API says their part is (`your_part`).
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

import asyncio
import json
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from careerstream.console.backend import ApiError, Backend
from careerstream.console.pages.common import (
    current_framework,
    form_value,
    label,
    number,
    role_of,
)
from careerstream.console.web import backend_of, redirect, render, require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)])
Api = Annotated[Backend, Depends(backend_of)]


@router.get("/me")
async def career_path(request: Request, b: Api) -> Response:
    me = b.person.employee_id
    fw, role_id = await b.gather(current_framework(b), role_of(b, me))
    steps: list[dict[str, Any]] = []
    graph: dict[str, Any] = {"nodes": [], "edges": []}
    title = label(role_id)
    target = None
    if fw and role_id:
        fid, version = fw
        base = f"/v1/frameworks/{fid}/versions/{version}"
        nxt, gaps = await b.gather(
            b.maybe("frameworks", f"{base}/roles/{role_id}/next-steps"),
            b.maybe("assessments", f"/v1/employees/{me}/gaps"),
        )
        if nxt:
            title = nxt.get("title") or title
            steps = nxt.get("steps", [])
        for a in (gaps or {}).get("analyses", []):
            if a.get("reference") == "target":
                target = a.get("role_id")
        family = role_id.split(".")[0]
        fam = await b.maybe("frameworks", f"{base}/families/{family}/graph")
        graph = _graph(fam, steps, role_id, target)
    return render(
        request,
        "employee/path.html",
        role_id=role_id,
        title=title,
        steps=steps,
        graph_json=json.dumps(graph),
        target=target,
        label=label,
    )


def _graph(
    family: dict[str, Any] | None, steps: list[dict[str, Any]], role_id: str, target: str | None
) -> dict[str, Any]:
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    for n in (family or {}).get("nodes", []):
        nodes[n["role_id"]] = {"id": n["role_id"], "label": n.get("title") or label(n["role_id"])}
    for e in (family or {}).get("edges", []):
        src, dst = e.get("from_role_id") or e.get("source"), e.get("to_role_id") or e.get("target")
        if src and dst:
            edges.append({"source": src, "target": dst, "kind": e.get("kind", "vertical")})
    for s in steps:
        dst = s["to_role_id"]
        nodes.setdefault(dst, {"id": dst, "label": s.get("to_title") or label(dst)})
        if not any(e["source"] == role_id and e["target"] == dst for e in edges):
            edges.append({"source": role_id, "target": dst, "kind": s.get("kind", "vertical")})
    for e in edges:  # an edge may lead out of the family (a lateral move): show where
        for end in (e["source"], e["target"]):
            nodes.setdefault(end, {"id": end, "label": label(end)})
    for n in nodes.values():
        n["kind"] = "current" if n["id"] == role_id else "target" if n["id"] == target else "role"
    return {"nodes": list(nodes.values()), "edges": edges}


@router.get("/me/gaps")
async def my_gaps(request: Request, b: Api) -> Response:
    me = b.person.employee_id
    gaps, fw = await b.gather(
        b.maybe("assessments", f"/v1/employees/{me}/gaps"), current_framework(b)
    )
    roles = await _roles(b, fw)
    return render(
        request,
        "employee/gaps.html",
        analyses=(gaps or {}).get("analyses", []),
        roles=roles,
        label=label,
        errors={},
    )


async def _roles(b: Backend, fw: tuple[str, int] | None) -> list[tuple[str, str]]:
    if fw is None:
        return []
    doc = await b.maybe("frameworks", f"/v1/frameworks/{fw[0]}/versions/{fw[1]}")
    roles = (doc or {}).get("document", doc or {}).get("roles", [])
    out = [(str(r.get("id") or r.get("role_id")), str(r.get("title") or "")) for r in roles]
    return sorted(out, key=lambda r: r[0])


@router.post("/me/target-role")
async def set_target(request: Request, b: Api) -> Response:
    form = await request.form()
    role = form_value(form, "role_id") or None
    try:
        await b.put(
            "assessments", f"/v1/employees/{b.person.employee_id}/target-role", {"role_id": role}
        )
    except ApiError as exc:
        if exc.status >= 500:
            raise
        gaps = await b.maybe("assessments", f"/v1/employees/{b.person.employee_id}/gaps")
        return render(
            request,
            "employee/gaps.html",
            422,
            analyses=(gaps or {}).get("analyses", []),
            roles=await _roles(b, await current_framework(b)),
            label=label,
            errors={"role_id": exc.detail or str(exc)},
        )
    return redirect("/me/gaps")


# -- assessments -------------------------------------------------------------------------------


@router.get("/me/assessments")
async def my_assessments(request: Request, b: Api) -> Response:
    rows = await b.get("assessments", "/v1/assessments")
    mine = [r for r in rows if r["employee_id"] == b.person.employee_id]
    others = [r for r in rows if r["employee_id"] != b.person.employee_id]
    return render(request, "employee/assessments.html", mine=mine, others=others, label=label)


@router.get("/assessments/{assessment_id}")
async def assessment(request: Request, assessment_id: str, b: Api) -> Response:
    a = await b.get("assessments", f"/v1/assessments/{assessment_id}")
    return render(request, "employee/assessment.html", a=a, label=label, errors={})


@router.post("/assessments/{assessment_id}/ratings")
async def rate(request: Request, assessment_id: str, b: Api) -> Response:
    form = await request.form()
    ratings = []
    for key in form:
        if key.startswith("level:"):
            value = form_value(form, key)
            if value:
                ratings.append(
                    {"competency_id": key.removeprefix("level:"), "level": number(value)}
                )
    path = f"/v1/assessments/{assessment_id}/submissions"
    return await assessment_write(request, b, assessment_id, path, {"ratings": ratings}, "ratings")


async def assessment_write(
    request: Request, b: Backend, assessment_id: str, path: str, body: Any, error_key: str
) -> Response:
    """Send a rating or a calibration; a refusal shows the assessment again with its words."""
    try:
        await b.post("assessments", path, body)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        a = await b.get("assessments", f"/v1/assessments/{assessment_id}")
        return render(
            request,
            "employee/assessment.html",
            422,
            a=a,
            label=label,
            errors={error_key: exc.detail, **exc.field_errors()},
        )
    return redirect(f"/assessments/{assessment_id}")


# -- plans -------------------------------------------------------------------------------------


@router.get("/me/plan")
async def my_plan(request: Request, b: Api) -> Response:
    plans = await b.get("plans", "/v1/plans", employee_id=b.person.employee_id)
    live = [p for p in plans if p["status"] in ("suggested", "draft", "active")]
    if live:
        return redirect(f"/plans/{live[-1]['plan_id']}")
    return render(request, "employee/no_plan.html", plans=plans)


@router.get("/plans/{plan_id}")
async def plan(request: Request, plan_id: str, b: Api) -> Response:
    return await _plan_page(request, b, plan_id, {})


async def _plan_page(
    request: Request, b: Backend, plan_id: str, errors: dict[str, str], status: int = 200
) -> Response:
    p = await b.get("plans", f"/v1/plans/{plan_id}")
    return render(
        request,
        "employee/plan.html",
        status,
        p=p,
        label=label,
        errors=errors,
        why=await _why_suggested(b, p),
    )


async def _why_suggested(b: Backend, p: dict[str, Any]) -> dict[str, str]:
    """For each catalogue action of the plan's open goals: what closed similar gaps before
    (the plans service's evidence), by entry id."""
    open_goals = [g for g in p.get("goals", []) if g.get("status") == "open"]
    found = await asyncio.gather(
        *(b.get("plans", f"/v1/goals/{g['goal_id']}/suggestions") for g in open_goals),
        return_exceptions=True,
    )
    why: dict[str, str] = {}
    for goal, entries in zip(open_goals, found, strict=True):
        if isinstance(entries, ApiError) or not isinstance(entries, list):
            continue  # not the caller's to read: the plan shows without it
        wanted = {a.get("entry_id") for a in goal.get("actions", [])}
        for e in entries:
            evidence = e.get("evidence") or {}
            if e.get("entry_id") in wanted and evidence.get("basis") == "evidence":
                why[f"{goal['goal_id']}/{e['entry_id']}"] = evidence.get("why", "")
    return why


async def _plan_action(
    request: Request, b: Backend, plan_id: str, path: str, body: Any = None
) -> Response:
    try:
        await b.post("plans", path, body)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        errors = {"action": exc.detail or str(exc), **exc.field_errors()}
        return await _plan_page(request, b, plan_id, errors, 422 if exc.status != 409 else 409)
    return redirect(f"/plans/{plan_id}")


@router.post("/plans/{plan_id}/accept")
async def accept(request: Request, plan_id: str, b: Api) -> Response:
    return await _plan_action(request, b, plan_id, f"/v1/plans/{plan_id}/accept")


@router.post("/plans/{plan_id}/approve")
async def approve(request: Request, plan_id: str, b: Api) -> Response:
    return await _plan_action(request, b, plan_id, f"/v1/plans/{plan_id}/approve")


@router.post("/plans/{plan_id}/checkins")
async def checkin(request: Request, plan_id: str, b: Api) -> Response:
    form = await request.form()
    body = {
        "notes": form_value(form, "notes"),
        "progress_rating": number(form_value(form, "progress_rating")),
    }
    return await _plan_action(request, b, plan_id, f"/v1/plans/{plan_id}/checkins", body)


@router.post("/plans/{plan_id}/goals/{goal_id}/progress")
async def goal_progress(request: Request, plan_id: str, goal_id: str, b: Api) -> Response:
    form = await request.form()
    body = {"progress": number(form_value(form, "progress"))}
    return await _plan_action(request, b, plan_id, f"/v1/goals/{goal_id}/progress", body)


@router.post("/plans/{plan_id}/actions/{action_id}/status")
async def action_status(request: Request, plan_id: str, action_id: str, b: Api) -> Response:
    form = await request.form()
    body = {"status": form_value(form, "status")}
    return await _plan_action(request, b, plan_id, f"/v1/actions/{action_id}/status", body)


# -- marketplace -------------------------------------------------------------------------------


@router.get("/marketplace")
async def marketplace(request: Request, b: Api) -> Response:
    return await _market(request, b, {})


async def _market(
    request: Request, b: Backend, errors: dict[str, str], status: int = 200
) -> Response:
    recs, apps = await b.gather(
        b.get("mobility", "/v1/me/recommendations", limit=20),
        b.get("mobility", "/v1/applications"),
    )
    mine = [a for a in apps if a["employee_id"] == b.person.employee_id]
    applied = {a["opportunity_id"]: a for a in mine if a["status"] != "withdrawn"}
    return render(
        request,
        "employee/marketplace.html",
        status,
        recs=recs,
        applications=mine,
        applied=applied,
        label=label,
        errors=errors,
    )


@router.post("/opportunities/{opportunity_id}/apply")
async def apply(request: Request, opportunity_id: str, b: Api) -> Response:
    form = await request.form()
    try:
        await b.post(
            "mobility",
            f"/v1/opportunities/{opportunity_id}/applications",
            {"note": form_value(form, "note")},
        )
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return await _market(request, b, {opportunity_id: exc.detail or str(exc)}, 422)
    return redirect("/marketplace")


@router.post("/applications/{application_id}/withdraw")
async def withdraw(request: Request, application_id: str, b: Api) -> Response:
    try:
        await b.post("mobility", f"/v1/applications/{application_id}/withdraw")
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return await _market(request, b, {application_id: exc.detail or str(exc)}, 422)
    return redirect("/marketplace")


# -- aspirations -------------------------------------------------------------------------------


@router.get("/me/aspirations")
async def aspirations(request: Request, b: Api) -> Response:
    me = b.person.employee_id
    asp = await b.maybe("mobility", f"/v1/employees/{me}/aspirations")
    return render(request, "employee/aspirations.html", asp=asp or {}, errors={}, saved=False)


@router.post("/me/aspirations")
async def save_aspirations(request: Request, b: Api) -> Response:
    form = await request.form()

    def ids(name: str) -> list[str]:
        return [
            x.strip() for x in form_value(form, name).replace("\n", ",").split(",") if x.strip()
        ]

    body = {
        "target_role_ids": ids("target_role_ids"),
        "target_family_ids": ids("target_family_ids"),
        "open_to_projects": form.get("open_to_projects") == "on",
        "open_to_approach": form.get("open_to_approach") == "on",
        "willing_to_relocate": form.get("willing_to_relocate") == "on",
        "share_aspirations": form.get("share_aspirations") == "on",
    }
    try:
        asp = await b.put("mobility", f"/v1/employees/{b.person.employee_id}/aspirations", body)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return render(
            request,
            "employee/aspirations.html",
            422,
            asp=body,
            errors={"form": exc.detail, **exc.field_errors()},
            saved=False,
        )
    return render(request, "employee/aspirations.html", asp=asp or body, errors={}, saved=True)


# -- notifications -----------------------------------------------------------------------------

KINDS: list[tuple[str, str]] = [
    ("assessment_opened", "My assessment opens"),
    ("assessment_due", "Ratings I owe are due soon"),
    ("peer_review_requested", "A colleague asks me to rate them"),
    ("gaps_ready", "My assessment is complete"),
    ("plan_drafted", "A development plan is ready for me"),
    ("transition_plan", "My plan for a new role"),
    ("checkin_overdue", "A plan check-in is overdue"),
    ("learning_done", "My learning platform completes a step of my plan"),
    ("learning_attempt_failed", "A course attempt of my plan did not pass"),
    ("opportunity_match", "Opportunities that fit me (daily digest)"),
    ("application_shortlisted", "My application is shortlisted"),
    ("application_selected", "I am selected"),
    ("application_not_selected", "Someone else is selected"),
    ("opportunity_closed", "An opportunity I applied for closes"),
    ("team_assessments_opened", "My team's assessments open (managers)"),
    ("plan_awaiting_approval", "A plan waits for my approval (managers)"),
    ("new_report_transition", "Someone joins my team (managers)"),
    ("goal_completed", "A report closes a goal (managers)"),
    ("erasure_completed", "An erasure I asked for completes (HR)"),
]


@router.get("/me/notifications")
async def inbox(request: Request, b: Api) -> Response:
    got = await b.maybe("notifications", "/v1/me/notifications", limit=100)
    items = (got or {}).get("items", [])
    for item in items:  # links into this console open here, not on another host
        parts = urlsplit(str(item.get("link", "")))
        item["path"] = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return render(
        request,
        "employee/inbox.html",
        items=items,
        unread=(got or {}).get("unread", 0),
        available=got is not None,
    )


@router.post("/me/notifications/read-all")
async def read_all(b: Api) -> Response:
    await b.post("notifications", "/v1/me/notifications/read-all")
    return redirect("/me/notifications")


@router.post("/me/notifications/{notification_id}/read")
async def read_one(notification_id: str, b: Api) -> Response:
    try:
        await b.post("notifications", f"/v1/me/notifications/{notification_id}/read")
    except ApiError as exc:
        if exc.status >= 500:
            raise
    return redirect("/me/notifications")


@router.get("/me/notifications/preferences")
async def preferences(request: Request, b: Api) -> Response:
    prefs = await b.maybe("notifications", "/v1/me/notification-preferences")
    return _prefs_page(request, prefs or {}, {}, saved=False)


def _prefs_page(
    request: Request,
    prefs: dict[str, Any],
    errors: dict[str, Any],
    *,
    saved: bool,
    status: int = 200,
) -> Response:
    channels = prefs.get("channels") or {}

    def on(kind: str, channel: str) -> bool:
        for key in (kind, "*"):
            chosen = (channels.get(key) or {}).get(channel)
            if isinstance(chosen, bool):
                return chosen
        return True

    quiet = prefs.get("quiet_hours") or {}
    return render(
        request,
        "employee/notification_preferences.html",
        status,
        kinds=[(k, text, on(k, "email"), on(k, "chat")) for k, text in KINDS],
        digest=bool(prefs.get("digest")),
        time_zone=prefs.get("time_zone") or "",
        quiet_start=quiet.get("start"),
        quiet_end=quiet.get("end"),
        errors=errors,
        saved=saved,
    )


@router.post("/me/notifications/preferences")
async def save_preferences(request: Request, b: Api) -> Response:
    form = await request.form()
    start, end = form_value(form, "quiet_start"), form_value(form, "quiet_end")
    body: dict[str, Any] = {
        "channels": {
            k: {"email": form.get(f"email:{k}") == "on", "chat": form.get(f"chat:{k}") == "on"}
            for k, _ in KINDS
        },
        "digest": form.get("digest") == "on",
        "time_zone": form_value(form, "time_zone") or None,
        "quiet_hours": {"start": number(start), "end": number(end)} if start and end else None,
    }
    try:
        saved = await b.put("notifications", "/v1/me/notification-preferences", body)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return _prefs_page(
            request,
            body,
            {"form": exc.detail, **exc.field_errors()},
            saved=False,
            status=422,
        )
    return _prefs_page(request, saved or body, {}, saved=True)


# -- pulse surveys -----------------------------------------------------------------------------


async def _surveys_page(request: Request, b: Backend, status: int = 200, **extra: Any) -> Response:
    pulses = await b.get("hris", "/v1/me/surveys")
    context: dict[str, Any] = {"pulses": pulses, "errors": {}, "thanks": False, **extra}
    return render(request, "employee/surveys.html", status, **context)


@router.get("/me/surveys")
async def my_surveys(request: Request, b: Api) -> Response:
    return await _surveys_page(request, b, thanks=request.query_params.get("answered") == "1")


@router.post("/me/surveys/{survey_id}")
async def answer_survey(request: Request, survey_id: str, b: Api) -> Response:
    form = await request.form()
    answers = {
        key.removeprefix("q:"): number(form_value(form, key))
        for key in form
        if key.startswith("q:") and form_value(form, key)
    }
    try:
        await b.post(
            "hris", f"/v1/surveys/{quote(survey_id, safe='')}/responses", {"answers": answers}
        )
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return await _surveys_page(request, b, 422, errors={survey_id: exc.detail or str(exc)})
    return redirect("/me/surveys?answered=1")
