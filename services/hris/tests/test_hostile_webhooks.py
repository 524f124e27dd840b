"""Hostile webhook traffic: sizes, headers and payloads that used to answer 500 or leak tenants."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from careerstream.devstack.sample import auth
from careerstream.devstack.testing import RunningService, ServiceUnderTest
from careerstream.hris.domain.vendors import UNVERIFIED, sign

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("hris", import_poll_seconds=0.2) as running:
        yield running


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


async def _secret(c: httpx.AsyncClient, tenant: str, vendor: str) -> str:
    resp = await c.put(f"/v1/sources/{vendor}", headers=auth(tenant, "HR", "hr_admin"))
    assert resp.status_code == 200, resp.text
    return str(resp.json()["secret"])


def _hire(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "eventId": f"wd-{uuid.uuid4().hex[:8]}",
        "eventType": "Hire",
        "effectiveDate": datetime.now(UTC).date().isoformat(),
        "worker": {"workerId": "E1", "name": "Ada", "jobProfile": {"code": "ENG2"}},
    }
    body.update(over)
    return body


async def _signed(
    c: httpx.AsyncClient, tenant: str, vendor: str, secret: str, payload: Any
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {**sign(vendor, secret, body, datetime.now(UTC)), **JSON}
    return await c.post(f"/v1/webhooks/{tenant}/{vendor}", content=body, headers=headers)


async def test_a_huge_unsigned_body_is_413_before_the_signature_is_checked(
    svc: RunningService, tenant: str
) -> None:
    await _secret(svc.client, tenant, "workday")
    body = b'{"x": "' + b"a" * (8 * 1024 * 1024) + b'"}'
    resp = await svc.client.post(f"/v1/webhooks/{tenant}/workday", content=body, headers=JSON)
    assert problem(resp, 413)["max_bytes"] == 1024 * 1024


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Workday-Timestamp": "99999999999999999999", "X-Workday-Signature": "sha256=00"},
        {"X-Workday-Timestamp": "-1", "X-Workday-Signature": "sha256=00"},
        {"X-Workday-Timestamp": "1e9", "X-Workday-Signature": "sha256=00"},
        {
            "X-Workday-Timestamp": "1700000000",
            "X-Workday-Signature": "sha256=é".encode().decode("latin-1"),
        },
    ],
)
async def test_malformed_signature_headers_are_401_not_500(
    svc: RunningService, tenant: str, headers: dict[str, str]
) -> None:
    await _secret(svc.client, tenant, "workday")
    resp = await svc.client.post(
        f"/v1/webhooks/{tenant}/workday",
        content=json.dumps(_hire()).encode(),
        headers=[(k.encode(), v.encode("latin-1")) for k, v in {**headers, **JSON}.items()],
    )
    problem(resp, 401)


async def test_an_unknown_tenant_is_answered_as_a_bad_signature(
    svc: RunningService, tenant: str
) -> None:
    secret = await _secret(svc.client, tenant, "workday")
    known_bad = await _signed(svc.client, tenant, "workday", secret + "x", _hire())
    unknown = await _signed(svc.client, f"{tenant}-nobody", "workday", secret, _hire())
    other_vendor = await _signed(svc.client, tenant, "bamboohr", secret, {"employees": []})
    bodies = [problem(r, 401) for r in (known_bad, unknown, other_vendor)]
    assert {b["detail"] for b in bodies} == {UNVERIFIED}
    assert "tenant" not in json.dumps(bodies[1]).replace("tenant's", "")


@pytest.mark.parametrize(
    ("vendor", "payload", "field"),
    [
        ("workday", _hire(worker="E1"), "worker"),
        ("workday", _hire(eventType=["Hire"]), "eventType"),
        ("workday", _hire(eventId=["a", "b"]), "eventId"),
        ("workday", _hire(eventId=None), "eventId"),
        (
            "workday",
            _hire(worker={"workerId": "E1", "demographics": ["f"]}),
            "worker.demographics",
        ),
        (
            "workday",
            _hire(worker={"workerId": "E1", "supervisorId": {"id": "M1"}}),
            "worker.supervisorId",
        ),
        ("workday", _hire(effectiveDate="0001-01-01"), "effectiveDate"),
        ("workday", _hire(effectiveDate=20240101), "effectiveDate"),
        (
            "successfactors",
            {
                "messageId": "m1",
                "operation": "UPDATE",
                "userId": "E1",
                "effectiveStartDate": "2024-01-01",
                "fields": ["displayName"],
            },
            "fields",
        ),
        ("bamboohr", {"employees": "E1"}, "employees"),
        (
            "bamboohr",
            {"employees": [{"id": "E1", "action": "Updated", "fields": []}]},
            "employees[0].fields",
        ),
        ("bamboohr", ["not", "an", "object"], "body"),
    ],
)
async def test_signed_but_malformed_payloads_are_422_naming_the_field(
    svc: RunningService, tenant: str, vendor: str, payload: Any, field: str
) -> None:
    secret = await _secret(svc.client, tenant, vendor)
    body = problem(await _signed(svc.client, tenant, vendor, secret, payload), 422)
    assert body["detail"].startswith(field) or f"; {field}" in body["detail"], body["detail"]


async def test_vendor_ids_as_numbers_are_still_read(svc: RunningService, tenant: str) -> None:
    secret = await _secret(svc.client, tenant, "workday")
    payload = _hire(worker={"workerId": 1234, "name": "Ada", "supervisorId": 99})
    resp = await _signed(svc.client, tenant, "workday", secret, payload)
    assert resp.status_code == 202, resp.text
    person = await svc.client.get("/v1/people/1234", headers=auth(tenant, "HR", "hr_admin"))
    assert person.json()["manager_id"] == "99"


@pytest.mark.parametrize("ctype", ["text/plain", "application/xml"])
async def test_imports_in_other_media_types_are_415(
    svc: RunningService, tenant: str, ctype: str
) -> None:
    resp = await svc.client.post(
        "/v1/imports",
        content=b"employee_id\nE1\n",
        headers={**auth(tenant, "HR", "hr_admin"), "Content-Type": ctype},
    )
    problem(resp, 415)


async def test_the_gateways_record_of_a_person_is_theirs_and_hrs_alone(
    svc: RunningService, tenant: str
) -> None:
    from careerstream.devstack.access import Cell, check

    secret = await _secret(svc.client, tenant, "workday")
    hire = _hire(worker={"workerId": "E", "name": "Ada", "supervisorId": "M"})
    assert (await _signed(svc.client, tenant, "workday", secret, hire)).status_code == 202
    headers = {
        "self": auth(tenant, "E"),
        "peer": auth(tenant, "P"),
        "manager": auth(tenant, "M", "manager"),
        "skip_level": auth(tenant, "D", "manager"),
        "hr": auth(tenant, "HR", "hr_admin"),
        "other_tenant_hr": auth(f"{tenant}x", "HR", "hr_admin"),
    }
    others = {"peer": 403, "manager": 403, "skip_level": 403}
    mismatches = await check(
        svc.client,
        headers,
        [Cell("GET", "/v1/people/E", {**others, "self": 200, "hr": 200, "other_tenant_hr": 404})],
    )
    assert mismatches == [], "\n".join(mismatches)


async def test_the_directory_lists_your_reports_or_everyone_for_hr(
    svc: RunningService, tenant: str
) -> None:
    secret = await _secret(svc.client, tenant, "workday")
    for worker in (
        {"workerId": "D", "name": "Dee"},
        {"workerId": "M", "name": "Max", "supervisorId": "D"},
        {"workerId": "E", "name": "Ada Lovelace", "supervisorId": "M"},
        {"workerId": "P", "name": "Pat", "supervisorId": "D"},
    ):
        assert (
            await _signed(svc.client, tenant, "workday", secret, _hire(worker=worker))
        ).status_code == 202

    async def ids(who: str, *roles: str, t: str = tenant, **params: str) -> Any:
        resp = await svc.client.get("/v1/people", params=params, headers=auth(t, who, *roles))
        return (
            [p["employee_id"] for p in resp.json()] if resp.status_code == 200 else resp.status_code
        )

    assert await ids("E") == []
    assert await ids("M", "manager") == ["E"]
    assert await ids("D", "manager") == ["E", "M", "P"]
    assert await ids("P") == []
    assert await ids("HR", "hr_admin") == ["D", "E", "M", "P"]
    assert await ids("HR", "hr_admin", manager="M") == ["E"]
    assert await ids("HR", "hr_admin", manager="D", direct="true") == ["M", "P"]
    assert await ids("D", "manager", direct="true") == ["M", "P"]
    assert await ids("D", "manager", direct="true", after="M", limit="1") == ["P"]
    assert await ids("E", direct="true") == []
    assert await ids("M", "manager", manager="D", direct="true") == 403
    assert await ids("HR", "hr_admin", direct="true") == 422
    assert await ids("HR", "hr_admin", manager="D", direct="maybe") == 422
    assert await ids("HR", "hr_admin", q="love") == ["E"]
    assert await ids("HR", "hr_admin", after="D", limit="2") == ["E", "M"]
    assert await ids("HR", "hr_admin", t=f"{tenant}x") == []
    assert await ids("M", "manager", manager="D") == 403
    assert await ids("HR", "hr_admin", q="%") == []
    assert await ids("HR", "hr_admin", q="a\x00b") in (400, 422)
    assert await ids("HR", "hr_admin", limit="ten") == 422
    entry = (await svc.client.get("/v1/people", headers=auth(tenant, "M", "manager"))).json()[0]
    assert entry["display_name"] == "Ada Lovelace"
    assert "groups" not in entry
    problem(
        await svc.client.get(
            "/v1/people", params={"limit": "0"}, headers=auth(tenant, "HR", "hr_admin")
        ),
        422,
    )
    refused = await svc.client.get(
        "/v1/people", params={"direct": "true"}, headers=auth(tenant, "HR", "hr_admin")
    )
    problem(refused, 422)
    assert refused.json()["errors"][0]["field"] == "query.direct"
