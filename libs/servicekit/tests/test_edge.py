"""The edge: sizes, media types, text PostgreSQL cannot store, JSON shape and unexpected errors
are answered as problem+json before (or instead of) a handler."""
# No `from __future__ import annotations`: FastAPI reads the route annotations at runtime.

import json
import logging
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel

from careerstream.servicekit.edge import DEFAULT_MAX_BODY, EdgeMiddleware, body_limit, raw_body
from careerstream.servicekit.openapi import document_problems
from careerstream.servicekit.problems import install_problem_handlers

router = APIRouter(prefix="/v1")
seen: list[str] = []


class Thing(BaseModel):
    name: str
    count: int = 0
    tags: list[str] = []


@router.post("/things")
async def create_thing(thing: Thing) -> dict[str, Any]:
    seen.append(thing.name)
    return {"name": thing.name}


@router.get("/things/{thing_id}")
async def get_thing(thing_id: str, q: str | None = None) -> dict[str, Any]:
    seen.append(thing_id)
    return {"id": thing_id, "q": q}


@router.post("/small", openapi_extra=body_limit(64))
async def small(thing: Thing) -> dict[str, str]:
    return {"name": thing.name}


@router.post(
    "/files", openapi_extra=raw_body({"text/csv": {"schema": {"type": "string"}}}, max_bytes=1000)
)
async def upload(request: Request) -> dict[str, int]:
    return {"bytes": len(await request.body())}


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("a bug")


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(EdgeMiddleware)
    app.include_router(router)
    document_problems(app)
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    seen.clear()
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = resp.json()
    assert body["status"] == status
    return body


JSON = {"Content-Type": "application/json"}


async def test_a_good_request_passes(client: httpx.AsyncClient) -> None:
    resp = await client.post("/v1/things", json={"name": "x", "count": 3})
    assert resp.status_code == 200, resp.text
    assert seen == ["x"]


@pytest.mark.parametrize(
    ("url", "field"),
    [("/v1/things/%00", "path.thing_id"), ("/v1/things/a?q=%00", "query.q")],
)
async def test_nul_in_path_or_query_is_422_naming_it(
    client: httpx.AsyncClient, url: str, field: str
) -> None:
    body = problem(await client.get(url), 422)
    assert body["errors"][0]["field"] == field
    assert seen == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ('{"name": "a\\u0000b"}', "name"),
        ('{"name": "x", "tags": ["ok", "\\ud800"]}', "tags[1]"),
        ('{"name": "x", "count": ' + "9" * 5000 + "}", "count"),
        ('{"name": "x", "count": 18446744073709551616}', "count"),
        ('{"name": "x", "count": NaN}', "count"),
        ('{"name": "x", "count": Infinity}', "count"),
        ('{"name": "x", "count": 1e999}', "count"),
        ('{"name": "x", "tags": ' + "[" * 40 + "]" * 40 + "}", "tags" + "[0]" * 32),
    ],
)
async def test_json_the_database_cannot_hold_is_422_naming_the_field(
    client: httpx.AsyncClient, payload: str, field: str
) -> None:
    body = problem(await client.post("/v1/things", content=payload, headers=JSON), 422)
    assert body["errors"][0]["field"] == field, body
    assert seen == []


async def test_deep_nesting_past_the_parser_is_422(client: httpx.AsyncClient) -> None:
    payload = '{"name": "x", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}"
    resp = await client.post("/v1/things", content=payload, headers=JSON)
    # 100,000 levels is larger than the default limit too; either refusal is a problem answer.
    assert resp.status_code in (413, 422)
    assert resp.headers["content-type"] == "application/problem+json"


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    body = problem(await client.post("/v1/things", content=b'{"name": ', headers=JSON), 422)
    assert "not valid JSON" in body["detail"]


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_json_route_refuses_other_media_types(
    client: httpx.AsyncClient, ctype: str | None
) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    body = problem(await client.post("/v1/things", content=b'{"name": "x"}', headers=headers), 415)
    assert body["accepted"] == ["application/json"]
    assert seen == []


async def test_a_plus_json_media_type_is_json(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/v1/things",
        content=b'{"name": "x"}',
        headers={"Content-Type": "application/merge-patch+json; charset=utf-8"},
    )
    assert resp.status_code == 200, resp.text


async def test_a_declared_length_over_the_limit_is_413_unread(client: httpx.AsyncClient) -> None:
    body = problem(
        await client.post("/v1/small", content=json.dumps({"name": "x" * 100}), headers=JSON),
        413,
    )
    assert body["max_bytes"] == 64


async def test_a_streamed_body_is_cut_at_the_limit() -> None:
    app = _app()
    reads = 0
    chunk = b"a" * 65536
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": chunk, "more_body": True}  # endless

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/things",
        "raw_path": b"/v1/things",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("t", 80),
        "client": ("c", 1),
        "root_path": "",
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 413
    assert reads == DEFAULT_MAX_BODY // len(chunk) + 1  # not one chunk more than needed


async def test_a_raw_route_takes_its_own_types_and_limit(client: httpx.AsyncClient) -> None:
    ok = await client.post("/v1/files", content=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"})
    assert ok.json() == {"bytes": 8}
    problem(
        await client.post("/v1/files", content=b"a" * 1001, headers={"Content-Type": "text/csv"}),
        413,
    )
    problem(await client.post("/v1/files", content=b"{}", headers=JSON), 415)
    body = problem(
        await client.post(
            "/v1/files", content=b"a,b\n\x00,2\n", headers={"Content-Type": "text/csv"}
        ),
        422,
    )
    assert "NUL" in body["detail"]


async def test_starlettes_own_answers_are_problems(client: httpx.AsyncClient) -> None:
    assert "no route" in problem(await client.get("/v1/nowhere"), 404)["detail"]
    problem(await client.delete("/v1/things"), 405)


async def test_an_unexpected_error_is_a_500_problem_with_a_trace_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="careerstream.edge"):
        body = problem(await client.get("/v1/boom"), 500)
    assert len(body["trace_id"]) == 32
    assert "a bug" not in json.dumps(body)  # the cause is logged, not told
    assert body["trace_id"] in caplog.text
    assert "a bug" in caplog.text


def test_the_openapi_document_lists_problem_answers() -> None:
    doc = _app().openapi()
    assert "Problem" in doc["components"]["schemas"]
    create = doc["paths"]["/v1/things"]["post"]
    for status in ("401", "403", "404", "409", "413", "415", "422", "500"):
        content = create["responses"][status]["content"]
        assert content["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    assert doc["paths"]["/v1/small"]["post"]["x-max-body-bytes"] == 64
    assert "413" not in doc["paths"]["/v1/things/{thing_id}"]["get"]["responses"]
