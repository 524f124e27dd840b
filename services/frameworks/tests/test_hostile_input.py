"""Hostile framework files and versions: refused fast with problem+json, the service stays up."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from careerstream.devstack.testing import RunningService
from careerstream.frameworks.adapters import files, parsing
from careerstream.servicekit.auth import AuthSettings, mint_token

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
EXAMPLE = Path(__file__).parents[1] / "examples" / "typical-company.yaml"


def auth(tenant: str, *roles: str, subject: str = "E1") -> dict[str, str]:
    token = mint_token(AuthSettings(), tenant=tenant, subject=subject, roles=list(roles))
    return {"Authorization": f"Bearer {token}"}


def problem(resp: httpx.Response, *status: int) -> dict[str, Any]:
    assert resp.status_code in status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


def alias_bomb(levels: int = 9) -> str:
    """The 400-byte document that expands to 10^levels nodes when aliases are followed."""
    lines = ["a0: &a0 [x,x,x,x,x,x,x,x,x,x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


YAML = {"Content-Type": "application/yaml"}
JSON = {"Content-Type": "application/json"}


def test_an_alias_bomb_is_refused_at_its_first_anchor_in_far_under_100_ms() -> None:
    bomb = alias_bomb()
    assert len(bomb) < 500
    started = time.perf_counter()
    with pytest.raises(files.FrameworkFileInvalid) as caught:
        files.load(bomb)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.1, f"{elapsed * 1000:.1f} ms"
    assert caught.value.errors[0].line == 1
    assert "anchors and aliases" in caught.value.errors[0].message


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("id: x\nname: " + "[" * 200 + "]" * 200 + "\n", "yaml", "nests deeper"),
        ("id: x\nrank: " + "9" * 5000 + "\n", "yaml", "out of range"),
        ('{"id": "x", "rank": ' + "9" * 5000 + "}", "json", "out of range"),
        ('{"id": "x", "rank": 4294967296}', "json", "out of range"),
        ('{"id": "x", "rank": NaN}', "json", "NaN"),
        ('{"id": "x", "name": "a\\u0000b"}', "json", "NUL"),
        ("id: x\nname: !!binary aGVsbG8=\nother: *nothing\n", "yaml", "aliases"),
        ("id: x\n" + "".join(f"k{i}: [1, 2, 3, 4]\n" for i in range(50_000)), "yaml", "values"),
        ("- a\n- b\n---\n- c\n", "yaml", "not valid YAML"),
        ("{a: 1}: b\n", "yaml", "not valid YAML"),
    ],
)
def test_every_unreadable_file_is_one_problem_with_a_reason(
    text: str, fmt: str, message: str
) -> None:
    with pytest.raises(files.FrameworkFileInvalid) as caught:
        files.load(text, fmt)  # type: ignore[arg-type]
    assert message in caught.value.errors[0].message, caught.value.errors


def test_the_example_still_reads_with_its_lines() -> None:
    fw = files.load(EXAMPLE.read_text())
    data, lines = parsing.parse(EXAMPLE.read_text(), "yaml")
    assert data["id"] == fw.id
    assert lines[("families",)] > 1


async def test_the_alias_bomb_over_http_is_422_and_the_service_stays_up(
    svc: RunningService, tenant: str
) -> None:
    c, hr = svc.client, auth(tenant, "hr_admin")
    started = time.perf_counter()
    resp = await c.post("/v1/frameworks/import", content=alias_bomb(), headers={**hr, **YAML})
    elapsed = time.perf_counter() - started
    body = problem(resp, 422)
    assert "anchors and aliases" in body["detail"]
    assert elapsed < 1.0, f"{elapsed * 1000:.0f} ms"
    assert (await c.get("/healthz")).status_code == 200
    assert (await c.get("/v1/frameworks", headers=hr)).json() == []


async def test_oversized_framework_files_are_413_before_parsing(
    svc: RunningService, tenant: str
) -> None:
    c, hr = svc.client, auth(tenant, "hr_admin")
    big = EXAMPLE.read_text() + "\n# padding\n" + ("#" * 1000 + "\n") * 5000  # ~5 MB
    body = problem(await c.post("/v1/frameworks/import", content=big, headers={**hr, **YAML}), 413)
    assert body["max_bytes"] == parsing.MAX_BYTES
    assert (await c.get("/v1/frameworks", headers=hr)).json() == []


async def test_a_huge_integer_in_a_json_import_is_422(svc: RunningService, tenant: str) -> None:
    c, hr = svc.client, auth(tenant, "hr_admin")
    doc = '{"id": "x", "name": "X", "scale": {"levels": [{"level": ' + "9" * 5000 + "}]}}"
    problem(await c.post("/v1/frameworks/import", content=doc, headers={**hr, **JSON}), 422)


@pytest.mark.parametrize("ctype", ["text/plain", "image/png", "application/x-www-form-urlencoded"])
async def test_a_framework_in_another_media_type_is_415(
    svc: RunningService, tenant: str, ctype: str
) -> None:
    c, hr = svc.client, auth(tenant, "hr_admin")
    resp = await c.post(
        "/v1/frameworks/import", content=EXAMPLE.read_bytes(), headers={**hr, "Content-Type": ctype}
    )
    body = problem(resp, 415)
    assert "application/yaml" in body["accepted"]


async def test_versions_beyond_the_stored_range_are_4xx_on_every_versioned_route(
    svc: RunningService, tenant: str
) -> None:
    c = svc.client
    imported = await c.post(
        "/v1/frameworks/import?publish=true",
        content=EXAMPLE.read_bytes(),
        headers={**auth(tenant, "hr_admin"), **YAML},
    )
    assert imported.status_code == 201, imported.text
    fw = imported.json()["framework_id"]
    role = imported.json()["document"]["roles"][0]["id"]
    doc = svc.app.openapi()
    tried = 0
    for path, item in doc["paths"].items():
        if "{version}" not in path:
            continue
        for method in item:
            url = re.sub(r"\{[a-z_]+\}", "x", path.replace("{version}", "2147483648"))
            url = url.replace("/frameworks/x/", f"/frameworks/{fw}/").replace(
                "/roles/x/", f"/roles/{role}/"
            )
            for roles in (("employee",), ("hr_admin",)):
                resp = await c.request(method.upper(), url, headers=auth(tenant, *roles), json={})
                problem(resp, 403, 404, 422)
                tried += 1
    assert tried >= 20
    for query in ("from=2147483648&to=1", "from=1&to=99999999999999999999"):
        resp = await c.get(f"/v1/frameworks/{fw}/diff?{query}", headers=auth(tenant, "employee"))
        problem(resp, 422)
    bad_match = await c.put(
        f"/v1/frameworks/{fw}/versions/draft/scale",
        json={},
        headers={**auth(tenant, "hr_admin"), "If-Match": '"99999999999999999999"'},
    )
    problem(bad_match, 400, 404, 422)
