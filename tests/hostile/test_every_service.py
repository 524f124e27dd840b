"""Every service behind the same edge: the probes that answered 500 or plain text answer 4xx
problem+json, each service's OpenAPI document bounds its numbers and lists its problems, and
the committed OpenAPI documents are current."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest

from careerstream.devstack.openapi import OPENAPI_DIR, generate, render
from careerstream.devstack.sample import auth
from careerstream.devstack.stack import installed_services
from careerstream.devstack.testing import RunningService, ServiceUnderTest
from careerstream.servicekit.auth import AuthSettings

SERVICES = installed_services()


def problem(resp: httpx.Response, *status: int) -> dict[str, Any]:
    assert resp.status_code in status, f"{resp.request.method} {resp.request.url}: {resp.text}"
    assert resp.headers["content-type"].startswith("application/problem+json"), resp.text
    body: dict[str, Any] = resp.json()
    return body


def _ids(doc: dict[str, Any], method: str) -> list[str]:
    """Routes of a method with path parameters, each parameter filled with a NUL."""
    out = []
    for path, item in doc["paths"].items():
        if method in item and "{" in path:
            out.append(re.sub(r"\{[^}]+\}", "%00", path))
    return out


@pytest.fixture(params=SERVICES)
async def service(
    request: pytest.FixtureRequest, service_under_test: ServiceUnderTest
) -> AsyncIterator[RunningService]:
    async with service_under_test(request.param) as running:
        yield running


@pytest.mark.postgres
@pytest.mark.kafka
async def test_nul_bytes_anywhere_are_422_in_every_service(service: RunningService) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    c = service.client
    hr = auth(tenant, "HR", "hr_admin")
    doc = service.app.openapi()
    urls = _ids(doc, "get")
    assert urls or service.name == "metrics"
    for url in urls:
        body = problem(await c.get(url, headers=hr), 422)
        assert body["errors"][0]["field"].startswith("path."), body
    for path, item in doc["paths"].items():
        if "get" in item and "{" not in path and path.startswith("/v1"):
            body = problem(await c.get(f"{path}?manager=%00&x=1", headers=hr), 422)
            assert body["errors"][0]["field"] == "query.manager"
    for path, item in doc["paths"].items():
        for method in ("post", "put"):
            op = item.get(method)
            if op is None or "application/json" not in op.get("requestBody", {}).get("content", {}):
                continue
            url = re.sub(r"\{[^}]+\}", "x", path)
            body = problem(
                await c.request(
                    method.upper(),
                    url,
                    content=b'{"name": "a\\u0000", "title": "\\ud800"}',
                    headers={**hr, "Content-Type": "application/json"},
                ),
                422,
            )
            assert body["errors"][0]["field"] in ("name", "title"), body


@pytest.mark.postgres
@pytest.mark.kafka
async def test_unknown_routes_and_methods_are_problems(service: RunningService) -> None:
    c = service.client
    problem(await c.get("/v1/no-such-thing"), 404)
    problem(await c.delete("/healthz"), 405)


@pytest.mark.postgres
@pytest.mark.kafka
@pytest.mark.parametrize("name", ["frameworks"])
async def test_an_idempotent_replay_needs_the_callers_valid_token(
    service_under_test: ServiceUnderTest, name: str
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    settings = AuthSettings()
    assert settings.hs256_secret is not None

    def token(sub: str, ttl: int) -> dict[str, str]:
        now = int(time.time())
        claims = {
            "iss": settings.issuer,
            "aud": settings.audience,
            "sub": sub,
            "tid": tenant,
            "roles": ["hr_admin"],
            "iat": now - 7200,
            "exp": now + ttl,
        }
        encoded = jwt.encode(claims, settings.hs256_secret, algorithm="HS256")  # type: ignore[arg-type]
        return {"Authorization": f"Bearer {encoded}", "Idempotency-Key": "k1"}

    async with service_under_test(name) as svc:
        c = svc.client
        body = {"id": "acme", "name": "Acme"}
        first = await c.post("/v1/frameworks", json=body, headers=token("HR", 3600))
        assert first.status_code == 201, first.text
        again = await c.post("/v1/frameworks", json=body, headers=token("HR", 1800))
        assert again.headers.get("idempotent-replayed") == "true"  # a renewed token: same caller
        expired = await c.post("/v1/frameworks", json=body, headers=token("HR", -3600))
        problem(expired, 401)
        assert "idempotent-replayed" not in expired.headers
        other = await c.post("/v1/frameworks", json=body, headers=token("HR2", 3600))
        assert "idempotent-replayed" not in other.headers  # another caller's key is their own
        problem(other, 409)


def _unbounded_integers(doc: dict[str, Any]) -> list[str]:
    schemas = doc.get("components", {}).get("schemas", {})
    found: list[str] = []

    def walk(node: Any, where: str, seen: frozenset[str]) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    walk(schemas.get(name, {}), f"{where}->{name}", seen | {name})
            if (
                node.get("type") == "integer"
                and "enum" not in node
                and ("maximum" not in node or "minimum" not in node)
            ):
                found.append(where)
            for key, value in node.items():
                if key != "$ref":
                    walk(value, f"{where}.{key}", seen)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]", seen)

    for path, item in doc["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                walk(param.get("schema", {}), f"{method} {path} {param['name']}", frozenset())
            for ctype, content in op.get("requestBody", {}).get("content", {}).items():
                walk(content.get("schema", {}), f"{method} {path} {ctype}", frozenset())
    return found


@pytest.mark.parametrize("name", SERVICES)
def test_every_number_a_request_carries_is_bounded(name: str) -> None:
    assert _unbounded_integers(generate(name)) == []


@pytest.mark.parametrize("name", SERVICES)
def test_every_operation_documents_its_problems(name: str) -> None:
    doc = generate(name)
    assert "Problem" in doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status in ("401", "403", "404", "422", "500"):
                assert status in op["responses"], f"{method} {path} lacks {status}"
            if "requestBody" in op:
                assert {"413", "415"} <= set(op["responses"]), f"{method} {path}"
                assert op["x-max-body-bytes"] > 0


@pytest.mark.parametrize("name", SERVICES)
def test_committed_openapi_is_current(name: str) -> None:
    path = OPENAPI_DIR / f"{name}.json"
    assert path.exists(), f"run `make contracts` to write {path}"
    assert path.read_text() == render(generate(name)), f"{path} is stale: run `make contracts`"


@pytest.mark.postgres
@pytest.mark.kafka
async def test_the_reported_probes_of_mobility_and_metrics(
    service_under_test: ServiceUnderTest,
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    hr = {**auth(tenant, "HR", "hr_admin"), "Content-Type": "application/json"}
    async with service_under_test("mobility") as svc:
        big = b'{"kind": "gig", "title": "x", "description": "' + b"a" * 5_000_000 + b'"}'
        assert (
            problem(await svc.client.post("/v1/opportunities", content=big, headers=hr), 413)[
                "max_bytes"
            ]
            > 0
        )
        huge = b'{"kind": "gig", "title": "x", "time_share": ' + b"9" * 5000 + b"}"
        body = problem(await svc.client.post("/v1/opportunities", content=huge, headers=hr), 422)
        assert body["errors"][0]["field"] == "time_share"
    async with service_under_test("metrics") as svc:
        for url in (
            "/v1/metrics/headline?to=0001-01-02",
            "/v1/metrics/headline?to=0",
            "/v1/metrics/headline?from=1899-12-31&to=2025-01-01",
            "/v1/metrics/trends?metric=promotion_rate&to=9999-12-31",
            "/v1/metrics/trends?metric=promotion_rate&months=99999999999999999999",
        ):
            body = problem(await svc.client.get(url, headers=hr), 422)
            assert body["errors"][0]["field"].startswith("query."), body
