"""The frameworks API against real PostgreSQL and Kafka: drafts, rules, publication, paths, tenants."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from careerstream.contracts.envelope import decode
from careerstream.contracts.topics import FRAMEWORK
from careerstream.devstack.testing import EventTapFactory, RunningService
from careerstream.servicekit.auth import AuthSettings, mint_token

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
EXAMPLE = Path(__file__).parents[1] / "examples" / "typical-company.yaml"
SCHEMAS = Path(__file__).parents[3] / "contracts" / "schemas"


def auth(tenant: str, *roles: str, subject: str = "E1") -> dict[str, str]:
    token = mint_token(AuthSettings(), tenant=tenant, subject=subject, roles=list(roles))
    return {"Authorization": f"Bearer {token}"}


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


async def _import_example(
    client: httpx.AsyncClient, tenant: str, publish: bool = False
) -> dict[str, Any]:
    resp = await client.post(
        "/v1/frameworks/import" + ("?publish=true" if publish else ""),
        content=EXAMPLE.read_bytes(),
        headers={**auth(tenant, "hr_admin"), "Content-Type": "application/yaml"},
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def test_build_a_framework_step_by_step_and_publish_it(
    svc: RunningService, tenant: str, event_tap: EventTapFactory
) -> None:
    c, hr = svc.client, auth(tenant, "hr_admin")
    base = "/v1/frameworks/acme/versions/draft"
    created = await c.post(
        "/v1/frameworks", json={"id": "acme", "name": "Acme careers"}, headers=hr
    )
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1
    assert created.headers["Location"] == "/v1/frameworks/acme/versions/1"

    async def put(path: str, body: dict[str, Any]) -> httpx.Response:
        return await c.put(base + path, json=body, headers=hr)

    assert (await put("/families/engineering", {"name": "Engineering"})).status_code == 200
    assert (
        await put("/families/engineering/tracks/ic", {"name": "IC", "kind": "ic"})
    ).status_code == 200
    for rank, lid in enumerate(["junior", "engineer", "senior", "staff"], 1):
        r = await put(
            f"/families/engineering/levels/{lid}",
            {"name": lid.title(), "rank": rank, "track_ids": ["ic"]},
        )
        assert r.status_code == 200, r.text
    comps = ["craft", "design", "collaboration", "ownership"]
    for cid in comps:
        r = await put(
            f"/competencies/{cid}",
            {
                "name": cid.title(),
                "category": "technical",
                "descriptors": [{"level": n, "description": f"{cid} at {n}"} for n in range(1, 6)],
            },
        )
        assert r.status_code == 200, r.text
    r = await put(
        "/roles/eng.senior",
        {
            "family_id": "engineering",
            "level_id": "senior",
            "title": "Senior Engineer",
            "requirements": [{"competency_id": cid, "level": 3} for cid in comps],
        },
    )
    assert r.status_code == 200, r.text
    r = await put(
        "/roles/eng.staff",
        {
            "family_id": "engineering",
            "level_id": "staff",
            "title": "Staff Engineer",
            "requirements": [{"competency_id": cid, "level": 4} for cid in comps],
        },
    )
    revision = r.json()["revision"]
    assert r.headers["ETag"] == f'"{revision}"'

    # A stale revision is refused, and nothing changes.
    stale = await c.put(
        base + "/roles/eng.staff/requirements/craft",
        json={"level": 5},
        headers={**hr, "If-Match": str(revision - 1)},
    )
    assert "someone else changed it" in problem(stale, 412)["detail"]
    ok = await c.put(
        base + "/roles/eng.staff/requirements/craft",
        json={"level": 5},
        headers={**hr, "If-Match": str(revision)},
    )
    assert ok.status_code == 200, ok.text

    # Publication: the whole version goes out as one event.
    async with event_tap(FRAMEWORK) as tap:
        published = await c.post("/v1/frameworks/acme/versions/1/publish", headers=hr)
        assert published.status_code == 200, published.text
        assert published.json()["status"] == "published"
        records = await tap.wait_for(1, tenant=tenant)
    assert len(records) == 1
    raw = records[0]
    assert raw.key == f"{tenant}:acme".encode()
    envelope = decode(raw.value)
    assert envelope.type == "careerstream.frameworks.framework.published.v1"
    schema = json.loads((SCHEMAS / f"{envelope.type}.json").read_text())
    jsonschema.validate(json.loads(raw.value), schema)  # the whole CloudEvent
    assert envelope.data["version"] == 1
    assert {r["id"] for r in envelope.data["roles"]} == {"eng.senior", "eng.staff"}
    assert (
        next(r for r in envelope.data["roles"] if r["id"] == "eng.staff")["requirements"][0][
            "level"
        ]
        == 5
    )

    # A published version never changes.
    frozen = await c.put(
        "/v1/frameworks/acme/versions/1/families/sales", json={"name": "Sales"}, headers=hr
    )
    assert "is published and never changes" in problem(frozen, 409)["detail"]
    assert (await c.get("/v1/frameworks/acme/versions/1", headers=hr)).json()["document"][
        "families"
    ][0]["id"] == "engineering"


async def test_every_rule_is_refused_with_the_item_named_and_nothing_saved(
    svc: RunningService, tenant: str
) -> None:
    c, hr = svc.client, auth(tenant, "hr_admin")
    await _import_example(c, tenant)
    base = "/v1/frameworks/typical-company/versions/draft"
    before = (await c.get(base, headers=hr)).json()

    cases: list[tuple[str, dict[str, Any], str]] = [
        (
            "/families/engineering/levels/staff-engineer",
            {"name": "Staff Engineer", "rank": 7, "track_ids": ["ic"]},
            "track 'ic' of family 'engineering' has a gap: no level at rank 4",
        ),
        (
            "/families/engineering/levels/staff-engineer",
            {"name": "Staff Engineer", "rank": 3, "track_ids": ["ic"]},
            "all at rank 3: the order of its levels is ambiguous",
        ),
        (
            "/roles/engineering.staff-engineer/requirements/technical-skills",
            {"level": 7},
            "requires 'technical-skills' at level 7, outside the scale 1-4",
        ),
        (
            "/roles/engineering.staff-engineer/requirements/telepathy",
            {"level": 2},
            "requires 'telepathy', which is not a competency",
        ),
        (
            "/families/sales",
            {"name": "Engineering"},
            "duplicate family name 'engineering'",
        ),
        (
            "/roles/engineering.ghost",
            {"family_id": "engineering", "level_id": "wizard", "title": "Ghost"},
            "at level 'wizard', which family 'engineering' does not have",
        ),
        (
            "/lateral-paths/nowhere",
            {"from_role_id": "engineering.senior-engineer", "to_role_id": "sales.rep"},
            "leads to role 'sales.rep', which does not exist",
        ),
    ]
    for path, body, expected in cases:
        resp = await c.put(base + path, json=body, headers=hr)
        detail = problem(resp, 422)
        assert any(expected in e["message"] for e in detail["errors"]), (path, detail)
        assert all("path" in e for e in detail["errors"])
    # A descriptor removed while a role needs it:
    resp = await c.delete(base + "/competencies/system-design/descriptors/3", headers=hr)
    assert any(
        "has no descriptor for level 3" in e["message"] and e["path"].startswith("roles[")
        for e in problem(resp, 422)["errors"]
    )
    # A family still referenced cannot go:
    resp = await c.delete(base + "/families/marketing", headers=hr)
    assert any(
        "'marketing', which does not exist" in e["message"] for e in problem(resp, 422)["errors"]
    )
    # Unknown fields and bad values are named too.
    resp = await c.put(base + "/families/sales", json={"nmae": "Sales"}, headers=hr)
    assert "nmae" in problem(resp, 422)["detail"]

    after = (await c.get(base, headers=hr)).json()
    assert after["document"] == before["document"]
    assert after["revision"] == before["revision"]


async def test_publication_checks_completeness(svc: RunningService, tenant: str) -> None:
    c, hr = svc.client, auth(tenant, "hr_admin")
    await _import_example(c, tenant)
    base = "/v1/frameworks/typical-company/versions/draft"
    for cid in ("collaboration", "strategic-thinking"):
        r = await c.delete(
            base + f"/roles/engineering.staff-engineer/requirements/{cid}", headers=hr
        )
        assert r.status_code == 200, r.text
    resp = await c.post(base + "/publish", headers=hr)
    body = problem(resp, 422)
    assert body["title"] == "Not ready to publish"
    assert body["errors"] == [
        {
            "path": f"roles[{_role_index(body, 'engineering.staff-engineer')}].requirements",
            "message": "role 'engineering.staff-engineer' has 3 core competencies; a role has 4 to 6",
        }
    ]
    assert (await c.get(base, headers=hr)).json()["status"] == "draft"


def _role_index(body: dict[str, Any], role_id: str) -> int:
    import re

    match = re.search(r"roles\[(\d+)\]", body["errors"][0]["path"])
    assert match, body
    return int(match.group(1))


async def test_versions_diff_retire_and_export_round_trip(
    svc: RunningService, tenant: str, event_tap: EventTapFactory
) -> None:
    c, hr = svc.client, auth(tenant, "hr_admin")
    first = await _import_example(c, tenant, publish=True)
    assert first["outcome"] == "created"
    assert first["status"] == "published"

    draft = await c.post("/v1/frameworks/typical-company/drafts", headers=hr)
    assert draft.status_code == 201, draft.text
    assert draft.json()["version"] == 2
    again = await c.post("/v1/frameworks/typical-company/drafts", headers=hr)
    assert "already has a draft (version 2)" in problem(again, 409)["detail"]
    r = await c.put(
        "/v1/frameworks/typical-company/versions/2/roles/engineering.staff-engineer/requirements/collaboration",
        json={"level": 3},
        headers=hr,
    )
    assert r.status_code == 200, r.text
    diff = await c.get("/v1/frameworks/typical-company/diff?from=1&to=2", headers=hr)
    assert diff.json()["changes"] == [
        {
            "change": "changed",
            "path": "roles[engineering.staff-engineer].requirements[collaboration].level",
            "before": 4,
            "after": 3,
        }
    ]
    async with event_tap(FRAMEWORK) as tap:
        assert (
            await c.post("/v1/frameworks/typical-company/versions/2/publish", headers=hr)
        ).status_code == 200
        retired = await c.post(
            "/v1/frameworks/typical-company/versions/1/retire",
            json={"reason": "superseded by v2"},
            headers=hr,
        )
        assert retired.json()["status"] == "retired"
        # Waits for these two events by what they are: version 1's own `published` may still
        # be on its way from the first import's relay (it is not one of them).
        published, retired_event = await tap.expect(
            {"type": "careerstream.frameworks.framework.published.v1", "data": {"version": 2}},
            {"type": "careerstream.frameworks.framework.retired.v1", "data": {"version": 1}},
            tenant=tenant,
        )
    assert published["subject"] == retired_event["subject"]
    current = await c.get(
        "/v1/frameworks/typical-company/versions/current", headers=auth(tenant, "employee")
    )
    assert current.json()["version"] == 2

    # Export then import: the same framework comes back (a lossless round trip), so nothing
    # changes: no new version with an empty diff, but "unchanged" (200).
    for fmt, ctype in (("yaml", "application/yaml"), ("json", "application/json")):
        exported = await c.get(
            f"/v1/frameworks/typical-company/versions/2/export?format={fmt}", headers=hr
        )
        assert exported.status_code == 200
        imported = await c.post(
            "/v1/frameworks/import", content=exported.content, headers={**hr, "Content-Type": ctype}
        )
        assert imported.status_code == 200, imported.text
        assert imported.json()["outcome"] == "unchanged"
        assert imported.json()["version"] == 2
        assert (
            imported.json()["document"]
            == (await c.get("/v1/frameworks/typical-company/versions/2", headers=hr)).json()[
                "document"
            ]
        )
    versions = (await c.get("/v1/frameworks/typical-company/versions", headers=hr)).json()
    assert [v["version"] for v in versions] == [1, 2]
    # A changed file is a new draft; the same file again leaves that draft as it is.
    renamed = exported.content.replace(b'"name": "', b'"name": "Renamed ', 1)
    json_ctype = {**hr, "Content-Type": "application/json"}
    drafted = await c.post("/v1/frameworks/import", content=renamed, headers=json_ctype)
    assert (drafted.status_code, drafted.json()["outcome"]) == (201, "new-draft")
    again = await c.post("/v1/frameworks/import", content=renamed, headers=json_ctype)
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    assert again.json()["revision"] == drafted.json()["revision"]
    # Another file onto that draft is refused unless asked to replace it: someone may have
    # edited the draft. The refusal says what would change.
    other = exported.content.replace(b'"name": "', b'"name": "Other ', 1)
    refused = await c.post("/v1/frameworks/import", content=other, headers=json_ctype)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["errors"][0]["field"] == "query.replace"
    assert body["draft_version"] == drafted.json()["version"]
    assert [(ch["change"], ch["path"]) for ch in body["changes"]] == [("changed", "name")]
    replaced = await c.post("/v1/frameworks/import?replace=true", content=other, headers=json_ctype)
    assert (replaced.status_code, replaced.json()["outcome"]) == (201, "replaced-draft")
    back = await c.post("/v1/frameworks/import?replace=true", content=renamed, headers=json_ctype)
    assert back.json()["outcome"] == "replaced-draft"
    # With ?publish=true an unchanged file publishes its draft, once; sent again, it is the
    # current version already: unchanged, nothing republished.
    async with event_tap(FRAMEWORK) as tap:
        publishing = await c.post(
            "/v1/frameworks/import?publish=true", content=renamed, headers=json_ctype
        )
        assert (publishing.json()["outcome"], publishing.json()["status"]) == (
            "unchanged",
            "published",
        )
        once_more = await c.post(
            "/v1/frameworks/import?publish=true", content=renamed, headers=json_ctype
        )
        assert (once_more.status_code, once_more.json()["outcome"]) == (200, "unchanged")
        assert once_more.json()["version"] == publishing.json()["version"] == 3
        await tap.expect(
            {"type": "careerstream.frameworks.framework.published.v1", "data": {"version": 3}},
            tenant=tenant,
        )
        assert await tap.wait_for(1, tenant=tenant, timeout=3) == []  # no second publication


async def test_career_paths_over_http(svc: RunningService, tenant: str) -> None:
    c = svc.client
    await _import_example(c, tenant, publish=True)
    emp = auth(tenant, "employee")
    steps = await c.get(
        "/v1/frameworks/typical-company/versions/current/roles/engineering.senior-engineer/next-steps",
        headers=emp,
    )
    assert steps.status_code == 200, steps.text
    by_role = {s["to_role_id"]: s for s in steps.json()["steps"]}
    assert by_role["engineering.staff-engineer"]["kind"] == "vertical"
    assert by_role["engineering.team-lead"]["kind"] == "track_switch"
    pm = by_role["product-management.product-manager"]
    assert pm["kind"] == "lateral"
    assert {g["competency_id"]: g["gap"] for g in pm["grow"]}["product-sense"] == 3
    graph = await c.get(
        "/v1/frameworks/typical-company/versions/current/families/engineering/graph", headers=emp
    )
    assert len(graph.json()["nodes"]) == 8
    missing = await c.get(
        "/v1/frameworks/typical-company/versions/current/roles/nobody/next-steps", headers=emp
    )
    assert "has no role 'nobody'" in problem(missing, 404)["detail"]


async def test_who_may_do_what(svc: RunningService, tenant: str) -> None:
    c = svc.client
    await _import_example(c, tenant)  # a draft only
    emp, mgr = auth(tenant, "employee"), auth(tenant, "manager")
    other_hr = auth(f"{tenant}x", "hr_admin")
    # Drafts are HR's: others do not see them at all.
    problem(await c.get("/v1/frameworks/typical-company/versions/1", headers=emp), 404)
    assert (await c.get("/v1/frameworks", headers=mgr)).json() == []
    # Writing needs hr_admin.
    assert (
        "hr_admin"
        in problem(
            await c.post("/v1/frameworks/typical-company/versions/1/publish", headers=mgr), 403
        )["detail"]
    )
    problem(
        await c.put(
            "/v1/frameworks/typical-company/versions/1/families/x", json={"name": "X"}, headers=emp
        ),
        403,
    )
    # No token, or a bad one: 401.
    problem(await c.get("/v1/frameworks"), 401)
    problem(await c.get("/v1/frameworks", headers={"Authorization": "Bearer nonsense"}), 401)

    await c.post(
        "/v1/frameworks/typical-company/versions/1/publish", headers=auth(tenant, "hr_admin")
    )
    assert (
        await c.get("/v1/frameworks/typical-company/versions/1", headers=emp)
    ).status_code == 200
    # Another tenant sees nothing, and cannot touch anything: 404, not 403.
    problem(await c.get("/v1/frameworks/typical-company/versions/1", headers=other_hr), 404)
    problem(await c.get("/v1/frameworks/typical-company/versions", headers=other_hr), 404)
    problem(await c.post("/v1/frameworks/typical-company/versions/1/retire", headers=other_hr), 404)
    problem(await c.post("/v1/frameworks/typical-company/drafts", headers=other_hr), 404)
    assert (await c.get("/v1/frameworks", headers=other_hr)).json() == []


async def test_an_invalid_import_is_refused_whole_with_lines(
    svc: RunningService, tenant: str
) -> None:
    c, hr = svc.client, auth(tenant, "hr_admin")
    text = (
        EXAMPLE.read_text().replace("rank: 4", "rank: 9", 1).replace("level: 3\n", "level: 8\n", 1)
    )
    resp = await c.post(
        "/v1/frameworks/import", content=text, headers={**hr, "Content-Type": "application/yaml"}
    )
    body = problem(resp, 422)
    assert len(body["errors"]) >= 2
    assert all(isinstance(e["line"], int) for e in body["errors"]), body["errors"]
    assert (await c.get("/v1/frameworks", headers=hr)).json() == []
    unsupported = await c.post(
        "/v1/frameworks/import", content=b"x", headers={**hr, "Content-Type": "image/png"}
    )
    problem(unsupported, 415)
