"""HR's pages: frameworks (matrix, import, edit a requirement, diff, publish), cycles, the
catalogue, the HRIS import with its progress, learning records (LMSs connected, activities
waiting for a mapping, the LMS course catalogue import), the metrics dashboard, and personal
data (erasures, a person's export and who read their data)."""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from careerstream.console.backend import ApiError, Backend
from careerstream.console.metrics_page import (
    TREND_METRICS,
    VIEW_PARAMS,
    fairness_chart,
    heatmap,
    trend_chart,
)
from careerstream.console.pages.common import form_value, label, number
from careerstream.console.pages.employee import assessment_write
from careerstream.console.web import backend_of, redirect, render, require_csrf

router = APIRouter(prefix="/hr", dependencies=[Depends(require_csrf)])
Api = Annotated[Backend, Depends(backend_of)]
MAX_UPLOAD = 16 * 1024 * 1024


def _refuse_non_hr(b: Backend) -> None:
    if not b.person.is_hr:
        raise ApiError(403, "Forbidden", "these pages are for HR admins")


# -- frameworks --------------------------------------------------------------------------------


@router.get("")
async def frameworks(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    return render(
        request,
        "hr/frameworks.html",
        frameworks=await b.get("frameworks", "/v1/frameworks"),
        errors=[],
        detail=None,
    )


@router.post("/frameworks/import")
async def import_framework(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    upload = form.get("file")
    publish = form.get("publish") == "on"
    replace = form.get("replace") == "on"
    content = b""
    if isinstance(upload, UploadFile):
        content = await upload.read(MAX_UPLOAD + 1)
    if not content:
        content = form_value(form, "text").encode()
    try:
        if not content:
            raise ApiError(422, "Nothing to import", "choose a YAML or JSON framework file")
        if len(content) > MAX_UPLOAD:
            raise ApiError(413, "Too large", "a framework file may hold at most 16 MiB")
        ctype = "application/json" if content.lstrip().startswith(b"{") else "application/yaml"
        made = await b.call(
            "POST",
            "frameworks",
            "/v1/frameworks/import",
            params={"publish": str(publish).lower(), "replace": str(replace).lower()},
            content=content,
            content_type=ctype,
        )
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return render(
            request,
            "hr/frameworks.html",
            422,
            frameworks=await b.get("frameworks", "/v1/frameworks"),
            errors=exc.errors,
            detail=exc.detail,
        )
    return redirect(f"/hr/frameworks/{made['framework_id']}/versions/{made['version']}")


@router.get("/frameworks/{framework_id}/versions/{version}")
async def version(request: Request, framework_id: str, version: int, b: Api) -> Response:
    _refuse_non_hr(b)
    return await _version(request, b, framework_id, version, {})


async def _version(
    request: Request,
    b: Backend,
    framework_id: str,
    version: int,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    v, versions = await b.gather(
        b.get("frameworks", f"/v1/frameworks/{framework_id}/versions/{version}"),
        b.get("frameworks", f"/v1/frameworks/{framework_id}/versions"),
    )
    return render(
        request,
        "hr/version.html",
        status,
        v=v,
        doc=v["document"],
        matrices=_matrices(v["document"]),
        versions=versions,
        errors=errors,
        label=label,
    )


def _matrices(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Per family and track: competencies x levels, each cell the required level and its
    descriptor (Lattice's track view)."""
    competencies = {c["id"]: c for c in doc.get("competencies", [])}
    roles = {(r["family_id"], r["level_id"]): r for r in doc.get("roles", [])}
    out = []
    for fam in doc.get("families", []):
        for track in fam.get("tracks", []):
            levels = sorted(
                (lv for lv in fam.get("levels", []) if track["id"] in lv.get("track_ids", [])),
                key=lambda lv: lv.get("rank", 0),
            )
            columns = [(lv, roles.get((fam["id"], lv["id"]))) for lv in levels]
            used: list[str] = []
            for _, role in columns:
                for req in (role or {}).get("requirements", []):
                    if req["competency_id"] not in used:
                        used.append(req["competency_id"])
            rows = []
            for cid in used:
                comp = competencies.get(cid, {"id": cid, "name": cid, "descriptors": []})
                descriptors = {d["level"]: d["description"] for d in comp.get("descriptors", [])}
                cells = []
                for _, role in columns:
                    req = next(
                        (
                            r
                            for r in (role or {}).get("requirements", [])
                            if r["competency_id"] == cid
                        ),
                        None,
                    )
                    level = req["level"] if req else None
                    cells.append(
                        {"level": level, "descriptor": descriptors.get(level) if level else None}
                    )
                rows.append({"competency": comp, "cells": cells})
            out.append({"family": fam, "track": track, "columns": columns, "rows": rows})
    return out


async def _version_action(
    request: Request, b: Backend, framework_id: str, version: int, call: Any
) -> Response:
    try:
        result = await call
    except ApiError as exc:
        if exc.status >= 500:
            raise
        errors = {"action": exc.detail or str(exc)}
        for e in exc.errors:
            errors.setdefault(
                str(e.get("field") or e.get("path") or "action").split(".")[-1],
                str(e.get("message", "")),
            )
        return await _version(request, b, framework_id, version, errors, 422)
    target = version
    if isinstance(result, dict) and isinstance(result.get("version"), int):
        target = result["version"]
    return redirect(f"/hr/frameworks/{framework_id}/versions/{target}")


@router.post("/frameworks/{framework_id}/versions/{version}/publish")
async def publish(request: Request, framework_id: str, version: int, b: Api) -> Response:
    _refuse_non_hr(b)
    path = f"/v1/frameworks/{framework_id}/versions/{version}/publish"
    return await _version_action(request, b, framework_id, version, b.post("frameworks", path))


@router.post("/frameworks/{framework_id}/drafts")
async def new_draft(request: Request, framework_id: str, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    version = int(form_value(form, "from_version") or 1)
    path = f"/v1/frameworks/{framework_id}/drafts"
    return await _version_action(request, b, framework_id, version, b.post("frameworks", path))


@router.post("/frameworks/{framework_id}/versions/{version}/requirements")
async def require(request: Request, framework_id: str, version: int, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    role_id = form_value(form, "role_id")
    competency_id = form_value(form, "competency_id")
    level = form_value(form, "level")
    path = f"/v1/frameworks/{framework_id}/versions/{version}/roles/{role_id}/requirements/{competency_id}"
    call = b.put("frameworks", path, {"level": number(level)})
    return await _version_action(request, b, framework_id, version, call)


@router.get("/frameworks/{framework_id}/diff")
async def diff(request: Request, framework_id: str, b: Api) -> Response:
    _refuse_non_hr(b)
    frm = request.query_params.get("from", "")
    to = request.query_params.get("to", "")
    d = await b.get("frameworks", f"/v1/frameworks/{framework_id}/diff", **{"from": frm, "to": to})
    return render(
        request, "hr/diff.html", d=d, framework_id=framework_id, frm=frm, to=to, pretty=_pretty
    )


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


# -- cycles ------------------------------------------------------------------------------------


@router.get("/cycles")
async def cycles(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    return await _cycles(request, b, {}, {})


async def _cycles(
    request: Request, b: Backend, errors: dict[str, str], form: dict[str, Any], status: int = 200
) -> Response:
    rows = await b.get("assessments", "/v1/cycles")
    default_deadline = (datetime.now(UTC) + timedelta(days=21)).strftime("%Y-%m-%d")
    return render(
        request,
        "hr/cycles.html",
        status,
        cycles=rows,
        errors=errors,
        form=form,
        default_deadline=default_deadline,
    )


@router.post("/cycles")
async def open_cycle(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    deadline = form_value(form, "deadline")
    body: dict[str, Any] = {
        "name": form_value(form, "name"),
        "deadline": f"{deadline}T23:59:59Z" if len(deadline) == 10 else deadline,
        "rule": form_value(form, "rule") or "manager",
    }
    department = form_value(form, "department")
    if department:
        body["population"] = {"kind": "department", "ids": [department]}
    try:
        await b.post("assessments", "/v1/cycles", body)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return await _cycles(
            request, b, {"form": exc.detail, **exc.field_errors()}, dict(form), 422
        )
    return redirect("/hr/cycles")


@router.get("/cycles/{cycle_id}")
async def cycle(request: Request, cycle_id: str, b: Api) -> Response:
    _refuse_non_hr(b)
    c, rows = await b.gather(
        b.get("assessments", f"/v1/cycles/{cycle_id}"),
        b.get("assessments", "/v1/assessments", cycle_id=cycle_id),
    )
    return render(request, "hr/cycle.html", c=c, rows=rows, label=label)


@router.post("/cycles/{cycle_id}/close")
async def close_cycle(request: Request, cycle_id: str, b: Api) -> Response:
    _refuse_non_hr(b)
    await b.post("assessments", f"/v1/cycles/{cycle_id}/close")
    return redirect(f"/hr/cycles/{cycle_id}")


@router.post("/assessments/{assessment_id}/calibrations")
async def calibrate(request: Request, assessment_id: str, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    body = {
        "competency_id": form_value(form, "competency_id"),
        "level": number(form_value(form, "level")),
        "reason": form_value(form, "reason"),
    }
    path = f"/v1/assessments/{assessment_id}/calibrations"
    return await assessment_write(request, b, assessment_id, path, body, "calibration")


# -- catalogue ---------------------------------------------------------------------------------


@router.get("/catalogue")
async def catalogue(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    entries = await b.get("plans", "/v1/catalogue")
    return render(request, "hr/catalogue.html", entries=entries, label=label, errors={}, form={})


@router.post("/catalogue")
async def save_entry(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    entry_id = form_value(form, "entry_id")
    body = {
        "title": form_value(form, "title"),
        "kind": form_value(form, "kind"),
        "competency_id": form_value(form, "competency_id") or "*",
        "min_level": number(form_value(form, "min_level")),
        "max_level": number(form_value(form, "max_level")),
        "effort_weeks": number(form_value(form, "effort_weeks")),
    }
    try:
        if not entry_id:
            raise ApiError(
                422, "Invalid", "", [{"field": "entry_id", "message": "give the entry an id"}]
            )
        await b.put("plans", f"/v1/catalogue/{quote(entry_id, safe='')}", body)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        entries = await b.get("plans", "/v1/catalogue")
        return render(
            request,
            "hr/catalogue.html",
            422,
            entries=entries,
            label=label,
            errors={"form": exc.detail, **exc.field_errors()},
            form={**body, "entry_id": entry_id},
        )
    return redirect("/hr/catalogue")


# -- HRIS import -------------------------------------------------------------------------------


@router.get("/imports")
async def imports(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    return render(request, "hr/imports.html", errors={}, status=None)


@router.post("/imports")
async def start_import(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    upload = form.get("file")
    content = await upload.read(MAX_UPLOAD + 1) if isinstance(upload, UploadFile) else b""
    try:
        if not content:
            raise ApiError(422, "Nothing to import", "choose an HRIS export (CSV or JSON)")
        ctype = "application/json" if content.lstrip()[:1] in (b"[", b"{") else "text/csv"
        started = await b.call("POST", "hris", "/v1/imports", content=content, content_type=ctype)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        errors = {"file": exc.detail or str(exc)}
        lines = [
            (f"line {e['line']}: " if "line" in e else f"{e['field']}: " if "field" in e else "")
            + str(e.get("message", ""))
            for e in exc.errors
        ]
        return render(request, "hr/imports.html", 422, errors=errors, lines=lines[:50], status=None)
    return redirect(f"/hr/imports/{started['import_id']}")


@router.get("/imports/{import_id}")
async def import_status(request: Request, import_id: str, b: Api) -> Response:
    _refuse_non_hr(b)
    status = await b.get("hris", f"/v1/imports/{import_id}")
    fragment = (
        request.headers.get("hx-request") and request.headers.get("hx-target") == "import-status"
    )
    return render(
        request,
        "hr/import_status.html" if fragment else "hr/imports.html",
        errors={},
        status=status,
    )


# -- learning records (LMSs) -------------------------------------------------------------------


async def _learning(request: Request, b: Backend, status: int = 200, **extra: Any) -> Response:
    sources, waiting = await b.gather(
        b.get("hris", "/v1/learning-sources"),
        b.get("plans", "/v1/learning/activities", mapped="false"),
    )
    context: dict[str, Any] = {
        "sources": sources,
        "waiting": waiting,
        "errors": {},
        "form": {},
        "credentials": None,
        "preview": None,
        "applied": None,
        "lines": [],
        "csv": "",
        **extra,
    }
    return render(request, "hr/learning.html", status, **context)


@router.get("/learning")
async def learning(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    return await _learning(request, b)


@router.post("/learning/sources")
async def connect_lms(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    source_id = form_value(form, "source_id")
    body: dict[str, Any] = {
        "name": form_value(form, "name"),
        "identifier": form_value(form, "identifier") or "email",
    }
    if form_value(form, "home_page"):
        body["home_page"] = form_value(form, "home_page")
    try:
        if not source_id:
            raise ApiError(
                422, "Invalid", "", [{"field": "source_id", "message": "give the LMS an id"}]
            )
        creds = await b.put("hris", f"/v1/learning-sources/{quote(source_id, safe='')}", body)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return await _learning(
            request,
            b,
            422,
            errors={"source": exc.detail, **exc.field_errors()},
            form={**body, "source_id": source_id},
        )
    # Shown once, on this page only: the secret is not kept anywhere it can be read again.
    return await _learning(request, b, credentials=creds)


@router.post("/learning/catalogue")
async def import_courses(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    apply = form_value(form, "apply") == "true"
    upload = form.get("file")
    content = await upload.read(MAX_UPLOAD + 1) if isinstance(upload, UploadFile) else b""
    if not content:  # the preview's "apply" sends the file back as text
        kept = form.get("csv")
        content = kept.encode() if isinstance(kept, str) else b""
    try:
        if not content:
            raise ApiError(422, "Nothing to import", "choose the LMS's course catalogue (CSV)")
        got = await b.call(
            "POST",
            "plans",
            "/v1/learning/catalogue-imports",
            params={"apply": "true" if apply else "false"},
            content=content,
            content_type="text/csv",
        )
    except ApiError as exc:
        if exc.status >= 500:
            raise
        lines = [
            (f"line {e['line']}, {e.get('field') or 'row'}: " if "line" in e else "")
            + str(e.get("message", ""))
            for e in exc.errors
        ]
        return await _learning(
            request, b, 422, errors={"file": exc.detail or str(exc)}, lines=lines[:50]
        )
    if apply:
        return await _learning(request, b, applied=got)
    return await _learning(request, b, preview=got, csv=content.decode("utf-8-sig"))


# -- pulse surveys -------------------------------------------------------------------------------

TOPICS = ("growth", "manager_confidence", "career_conversations", "engagement", "other")
QUESTION_ROWS = 3


async def _pulses(request: Request, b: Backend, status: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {
        "pulses": await b.get("hris", "/v1/surveys"),
        "topics": TOPICS,
        "rows": range(1, QUESTION_ROWS + 1),
        "errors": {},
        "form": {},
        **extra,
    }
    return render(request, "hr/surveys.html", status, **context)


@router.get("/surveys")
async def pulses(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    return await _pulses(request, b)


@router.post("/surveys")
async def create_pulse(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    values = {k: form_value(form, k) for k in form if k != "csrf_token"}
    questions = [
        {
            "question_id": f"q{i}",
            "text": values.get(f"text{i}", ""),
            "topic": values.get(f"topic{i}") or "other",
            "scale_max": number(values.get(f"scale{i}") or "5"),
        }
        for i in range(1, QUESTION_ROWS + 1)
        if values.get(f"text{i}")
    ]
    ids = [x.strip() for x in values.get("audience_ids", "").split(",") if x.strip()]
    now = datetime.now(UTC)
    days = number(values.get("days") or "14")
    try:
        if not isinstance(days, int) or not 1 <= days <= 90:
            raise ApiError(
                422,
                "Invalid",
                "",
                [{"field": "days", "message": "a whole number of days, 1 to 90"}],
            )
        await b.post(
            "hris",
            "/v1/surveys",
            {
                "name": values.get("name", ""),
                "questions": questions,
                "audience": {"kind": values.get("audience") or "all", "ids": ids},
                "opens_at": now.isoformat(),
                "closes_at": (now + timedelta(days=days)).isoformat(),
            },
        )
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return await _pulses(
            request,
            b,
            422,
            errors={"pulse": exc.detail, **exc.field_errors()},
            form=values,
        )
    return redirect("/hr/surveys")


@router.get("/surveys/{survey_id}")
async def pulse_results(request: Request, survey_id: str, b: Api) -> Response:
    _refuse_non_hr(b)
    department = request.query_params.get("department") or None
    path = f"/v1/surveys/{quote(survey_id, safe='')}/results"
    results = await b.get("hris", path, department=department)
    pulse = next(
        (p for p in await b.get("hris", "/v1/surveys") if p["survey_id"] == survey_id), None
    )
    return render(request, "hr/survey.html", results=results, pulse=pulse, department=department)


# -- metrics -----------------------------------------------------------------------------------


@router.get("/metrics")
async def metrics(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    q = request.query_params
    filters = {
        k: q.get(k) or None for k in ("from", "to", "department", "family", "track", "level")
    }
    attribute = q.get("attribute") or "gender"
    views = ("mobility", "development", "skills", "engagement", "retention")
    results = await b.gather(
        *(b.get("metrics", f"/v1/metrics/{v}", **filters, **VIEW_PARAMS.get(v, {})) for v in views),
        b.get("metrics", "/v1/metrics/fairness", attribute=attribute, **filters),
        *(
            b.get("metrics", "/v1/metrics/trends", metric=m, months=12, **filters)
            for m in TREND_METRICS
        ),
    )
    data = dict(zip(views, results[: len(views)], strict=True))
    fairness = results[len(views)]
    trends = dict(zip(TREND_METRICS, results[len(views) + 1 :], strict=True))
    csv_query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    # The views keep their answers (services/metrics/METRICS.md, "Kept answers"): the page says
    # how old the oldest figure on it may be.
    computed = [r["computed_at"] for r in results if isinstance(r, dict) and r.get("computed_at")]
    as_of = min(computed)[:16].replace("T", " ") if computed else None
    return render(
        request,
        "hr/metrics.html",
        as_of=as_of,
        m=data,
        heatmap=heatmap(
            data["skills"].get("gap_heatmap") or [], total=data["skills"].get("teams_total")
        ),
        fairness=fairness,
        trends=trends,
        chart_json=json.dumps(trend_chart(trends)),
        fairness_json=json.dumps(fairness_chart(fairness)),
        filters=filters,
        attribute=attribute,
        csv_query=csv_query,
        label=label,
    )


@router.get("/metrics/export.csv")
async def metrics_csv(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    params = {
        k: v
        for k, v in request.query_params.items()
        if k in ("from", "to", "department", "family", "track", "level")
    }
    resp = await b.call("GET", "metrics", "/v1/metrics/export.csv", params=params, raw=True)
    return Response(
        resp.content,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="careerstream-metrics.csv"'},
    )


# -- personal data ---------------------------------------------------------------------------


@router.get("/privacy")
async def privacy(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    return await _privacy(request, b, {}, {})


async def _privacy(
    request: Request,
    b: Backend,
    errors: dict[str, str],
    form: dict[str, Any],
    status: int = 200,
    person_id: str | None = None,
    accesses: list[dict[str, Any]] | None = None,
) -> Response:
    rows = await b.get("privacy", "/v1/privacy/erasures")
    rows = sorted(rows, key=lambda r: str(r.get("requested_at", "")), reverse=True)
    return render(
        request,
        "hr/privacy.html",
        status,
        erasures=rows,
        errors=errors,
        form=form,
        person_id=person_id,
        accesses=accesses or [],
    )


@router.post("/privacy/erasures")
async def erase(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    body = {"employee_id": form_value(form, "employee_id"), "reason": form_value(form, "reason")}
    if form.get("confirm") != "on":
        errors = {"confirm": "tick the box: an erasure cannot be undone"}
        return await _privacy(request, b, errors, body, 422)
    try:
        done = await b.post("privacy", "/v1/privacy/erasures", body)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        errors = {"form": exc.detail or str(exc), **exc.field_errors()}
        if exc.status == 404:
            errors["employee_id"] = exc.detail or "no such employee"
        return await _privacy(request, b, errors, body, 422)
    return redirect(f"/hr/privacy/erasures/{quote(str(done['erasure_id']), safe='')}")


@router.get("/privacy/erasures/{erasure_id}")
async def erasure(request: Request, erasure_id: str, b: Api) -> Response:
    _refuse_non_hr(b)
    e = await b.get("privacy", f"/v1/privacy/erasures/{quote(erasure_id, safe='')}")
    return render(request, "hr/erasure.html", e=e)


@router.get("/privacy/person")
async def person_data(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    emp = str(request.query_params.get("employee_id", "")).strip()[:128]
    if not emp:
        return redirect("/hr/privacy")
    trail = await b.maybe("privacy", f"/v1/privacy/employees/{quote(emp, safe='')}/accesses")
    return await _privacy(request, b, {}, {}, person_id=emp, accesses=trail or [])


@router.get("/privacy/person/export")
async def person_export(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    emp = str(request.query_params.get("employee_id", "")).strip()[:128]
    doc = await b.get("privacy", f"/v1/privacy/employees/{quote(emp, safe='')}/export")
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in emp) or "employee"
    return Response(
        json.dumps(doc, indent=2, sort_keys=True),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="careerstream-{safe}.json"'},
    )


# -- succession --------------------------------------------------------------------------------


async def _succession(request: Request, b: Backend, status: int = 200, **extra: Any) -> Response:
    department = request.query_params.get("department") or None
    strength, frameworks_ = await b.gather(
        b.get("mobility", "/v1/critical-roles", department=department),
        b.get("frameworks", "/v1/frameworks"),
    )
    roles: list[str] = []
    for fw in frameworks_:
        published = fw.get("current_version")
        if published:
            doc = await b.get(
                "frameworks",
                f"/v1/frameworks/{quote(fw['framework_id'], safe='')}/versions/{published}",
            )
            roles += [r["id"] for r in doc["document"].get("roles", [])]
    context: dict[str, Any] = {
        "strength": strength,
        "roles": sorted(set(roles)),
        "department": department,
        "errors": {},
        "form": {},
        **extra,
    }
    return render(request, "hr/succession.html", status, **context)


@router.get("/succession")
async def succession(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    return await _succession(request, b)


@router.post("/succession")
async def mark_critical(request: Request, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    role_id, reason = form_value(form, "role_id"), form_value(form, "reason")
    try:
        if not role_id:
            raise ApiError(422, "Invalid", "", [{"field": "role_id", "message": "choose a role"}])
        await b.put("mobility", f"/v1/critical-roles/{quote(role_id, safe='')}", {"reason": reason})
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return await _succession(
            request,
            b,
            422,
            errors={"mark": exc.detail, **exc.field_errors()},
            form={"role_id": role_id, "reason": reason},
        )
    return redirect(f"/hr/succession/{quote(role_id, safe='')}")


async def _slate(
    request: Request, b: Backend, role_id: str, status: int = 200, **extra: Any
) -> Response:
    slate = await b.get("mobility", f"/v1/critical-roles/{quote(role_id, safe='')}/slate")
    context: dict[str, Any] = {"slate": slate, "errors": {}, "form": {}, **extra}
    return render(request, "hr/slate.html", status, **context)


@router.get("/succession/{role_id}")
async def slate_page(request: Request, role_id: str, b: Api) -> Response:
    _refuse_non_hr(b)
    return await _slate(request, b, role_id)


@router.post("/succession/{role_id}/nominations")
async def nominate(request: Request, role_id: str, b: Api) -> Response:
    _refuse_non_hr(b)
    form = await request.form()
    values = {k: form_value(form, k) for k in ("employee_id", "readiness", "note")}
    try:
        if not values["employee_id"]:
            raise ApiError(
                422, "Invalid", "", [{"field": "employee_id", "message": "name the person"}]
            )
        await b.put(
            "mobility",
            f"/v1/critical-roles/{quote(role_id, safe='')}/nominations/"
            f"{quote(values['employee_id'], safe='')}",
            {"readiness": values["readiness"], "note": values["note"]},
        )
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return await _slate(
            request,
            b,
            role_id,
            422,
            errors={"nominate": exc.detail, **exc.field_errors()},
            form=values,
        )
    return redirect(f"/hr/succession/{quote(role_id, safe='')}")
