"""The learning-records intake on real Kafka and PostgreSQL: an LMS sends xAPI statements with
its own credentials; they are kept once per id, mapped to employees, and published as
`learning.*` events through the outbox; voiding is honoured; bad requests get a 4xx naming
what was wrong."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from careerstream.contracts.topics import LEARNING
from careerstream.devstack.sample import auth, import_directory
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest
from careerstream.hris.domain.xapi_examples import LINKEDIN, MOODLE

DIRECTORY = (
    "employee_id,display_name,job_code,manager_id,department_id,work_email\n"
    "M1,Mia,MGR,,D1,mia@acme.example\n"
    "E100,Ana Lima,ENG,M1,D1,ana.lima@acme.example\n"
    "E200,Bo,ENG,M1,D1,bo@acme.example\n"
)
V = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("hris", import_poll_seconds=0.2) as running:
        yield running


def basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


async def _directory(c: httpx.AsyncClient, tenant: str) -> None:
    await import_directory(c, tenant, DIRECTORY)


async def _source(c: httpx.AsyncClient, tenant: str, source: str, **body: Any) -> dict[str, str]:
    r = await c.put(
        f"/v1/learning-sources/{source}", json=body, headers=auth(tenant, "HR", "hr_admin")
    )
    assert r.status_code == 200, r.text
    creds = r.json()
    return {**basic(creds["key"], creds["secret"]), **V}


def stmt(example: dict[str, Any], **over: Any) -> dict[str, Any]:
    s = copy.deepcopy(example)
    s.update(over)
    s.setdefault("id", str(uuid.uuid4()))
    return s


@pytest.mark.postgres
@pytest.mark.kafka
async def test_an_lms_sends_statements_and_they_become_learning_events(
    svc: RunningService, event_tap: EventTapFactory
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    other = f"{tenant}x"
    c = svc.client
    await _directory(c, tenant)
    await _directory(c, other)

    # HR connects two LMSs; nobody else may, and a bad setting is named.
    problem(
        await c.put(
            "/v1/learning-sources/linkedin",
            json={"name": "LinkedIn Learning"},
            headers=auth(tenant, "M1", "manager"),
        ),
        403,
    )
    bad = problem(
        await c.put(
            "/v1/learning-sources/linkedin",
            json={"name": "LinkedIn Learning", "identifier": "phone"},
            headers=auth(tenant, "HR", "hr_admin"),
        ),
        422,
    )
    assert "identifier" in json.dumps(bad)
    linkedin = await _source(c, tenant, "linkedin", name="LinkedIn Learning")
    moodle = await _source(
        c,
        tenant,
        "moodle",
        name="Moodle",
        identifier="employee_id",
        home_page="https://moodle.acme.example",
    )
    theirs = await _source(c, other, "linkedin", name="LinkedIn Learning")
    assert (await c.get("/xapi/about")).json()["version"] == ["1.0.3", "2.0.0"]

    # Credentials: none, wrong, and stale (issued again) are 401 alike, with a challenge.
    one = stmt(LINKEDIN)
    none = problem(await c.post("/xapi/statements", json=one, headers=V), 401)
    assert none["status"] == 401
    r = await c.post("/xapi/statements", json=one, headers={**V, **basic("lrs-nope", "x")})
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Basic")
    stale = await _source(c, tenant, "stale", name="Old")
    await _source(c, tenant, "stale", name="Old")  # new credentials: the old ones stop
    problem(await c.post("/xapi/statements", json=one, headers=stale), 401)

    # The version header: required, and one this LRS speaks.
    no_version = {k: v for k, v in linkedin.items() if k != "X-Experience-API-Version"}
    missing = problem(await c.post("/xapi/statements", json=one, headers=no_version), 400)
    assert missing["errors"][0]["field"] == "X-Experience-API-Version"
    problem(
        await c.post(
            "/xapi/statements",
            json=one,
            headers={**linkedin, "X-Experience-API-Version": "0.95"},
        ),
        400,
    )

    # An invalid statement: 400 naming the field; a batch with one is refused whole.
    wrong = stmt(LINKEDIN, verb={"id": "completed"})
    got = problem(await c.post("/xapi/statements", json=wrong, headers=linkedin), 400)
    assert got["errors"] == [
        {
            "field": "statement.verb.id",
            "message": "must be an absolute IRI (a scheme such as https: or urn:), not 'completed'",
        }
    ]
    batch = problem(await c.post("/xapi/statements", json=[one, wrong], headers=linkedin), 400)
    assert batch["errors"][0]["field"] == "statements[1].verb.id"
    problem(
        await c.get("/xapi/statements", params={"statementId": one["id"]}, headers=linkedin), 404
    )
    problem(
        await c.post(
            "/xapi/statements",
            content=b"{not json",
            headers={**linkedin, "Content-Type": "application/json"},
        ),
        422,  # the platform's edge refuses a body that is not JSON, naming it
    )

    async with event_tap(LEARNING) as tap, event_tap(LEARNING) as theirs_tap:
        # A LinkedIn-style completion by e-mail (any case), a Moodle-style one by account.
        r = await c.post("/xapi/statements", json=one, headers=linkedin)
        assert r.status_code == 200, r.text
        assert r.json() == [one["id"]]
        assert r.headers["x-experience-api-version"] == "1.0.3"
        progressed = stmt(
            MOODLE,
            verb={"id": "http://adlnet.gov/expapi/verbs/progressed"},
            result={"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 40}},
        )
        put = await c.put(
            "/xapi/statements",
            params={"statementId": progressed["id"]},
            json=progressed,
            headers=moodle,
        )
        assert put.status_code == 204, put.text
        completed, _ = await tap.expect(
            {
                "type": "careerstream.learning.activity.completed.v1",
                "data": {"statement_id": one["id"], "employee_id": "E100", "source_id": "linkedin"},
            },
            {
                "type": "careerstream.learning.activity.progressed.v1",
                "data": {"statement_id": progressed["id"], "employee_id": "E100", "progress": 40},
            },
            tenant=tenant,
        )
        assert completed["data"]["activity_id"] == "urn:li:lyndaCourse:189800"
        assert completed["data"]["activity_name"] == "Learning SQL Programming"
        assert completed["data"]["occurred_at"].startswith("2026-11-21T08:00:00")

        # The same id again: accepted, nothing new. Other content under it: 409.
        again = await c.post("/xapi/statements", json=one, headers=linkedin)
        assert again.status_code == 200
        assert again.json() == [one["id"]]
        changed = {**one, "result": {"completion": False}}
        problem(await c.post("/xapi/statements", json=changed, headers=linkedin), 409)
        mismatch = problem(
            await c.put(
                "/xapi/statements",
                params={"statementId": str(uuid.uuid4())},
                json=stmt(LINKEDIN),
                headers=linkedin,
            ),
            400,
        )
        assert mismatch["errors"][0]["field"] == "statement.id"

        # An actor nobody is (or an account of another site): kept, not published.
        stranger = stmt(LINKEDIN, actor={"mbox": "mailto:someone@else.example"})
        other_site = stmt(
            MOODLE, actor={"account": {"homePage": "https://other.example", "name": "E200"}}
        )
        r = await c.post("/xapi/statements", json=[stranger, other_site], headers=linkedin)
        assert r.status_code == 200
        await c.post(
            "/xapi/statements", json=other_site | {"id": str(uuid.uuid4())}, headers=moodle
        )

        # Another tenant's LMS names E100's address: it maps within that tenant only, and
        # it reads nothing of this tenant's.
        theirs_one = stmt(LINKEDIN)
        assert (
            await c.post("/xapi/statements", json=theirs_one, headers=theirs)
        ).status_code == 200
        problem(
            await c.get("/xapi/statements", params={"statementId": one["id"]}, headers=theirs), 404
        )

        # Voiding: the statement is gone from reads, kept as voided, and a voided event says so.
        voiding = {
            "id": str(uuid.uuid4()),
            "actor": {"mbox": "mailto:admin@acme.example"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": one["id"]},
        }
        assert (await c.post("/xapi/statements", json=voiding, headers=linkedin)).status_code == 200
        (voided,) = await tap.expect(
            {
                "type": "careerstream.learning.statement.voided.v1",
                "data": {"statement_id": one["id"], "voided_by": voiding["id"]},
            },
            tenant=tenant,
        )
        assert voided["data"]["employee_id"] == "E100"
        # Nothing else of this tenant came: the repeat, the strangers and the voiding
        # statement itself published nothing.
        rest = await tap.wait_for(1, tenant=tenant, timeout=3)
        assert rest == []
        (theirs_event,) = await theirs_tap.expect(
            {"data": {"statement_id": theirs_one["id"], "employee_id": "E100"}}, tenant=other
        )
        assert theirs_event["type"] == "careerstream.learning.activity.completed.v1"

    problem(
        await c.get("/xapi/statements", params={"statementId": one["id"]}, headers=linkedin), 404
    )
    back = await c.get(
        "/xapi/statements", params={"voidedStatementId": one["id"]}, headers=linkedin
    )
    assert back.status_code == 200, back.text
    kept = back.json()
    assert kept["id"] == one["id"]
    assert kept["stored"]
    assert kept["version"] == "1.0.0"
    assert kept["authority"]["account"]["name"] == f"{tenant}/linkedin"
    recent = (await c.get("/xapi/statements", params={"limit": 10}, headers=moodle)).json()
    assert [s["id"] for s in recent["statements"]][-1] == progressed["id"]

    listed = {
        s["source_id"]: s
        for s in (
            await c.get("/v1/learning-sources", headers=auth(tenant, "HR", "hr_admin"))
        ).json()
    }
    assert (listed["linkedin"]["statements"], listed["linkedin"]["unmapped"]) == (4, 3)
    assert (listed["moodle"]["statements"], listed["moodle"]["unmapped"]) == (2, 1)
    # Only HR lists the LMSs; another tenant's HR sees its own only.
    for who in ("E100", "M1"):
        problem(await c.get("/v1/learning-sources", headers=auth(tenant, who, "manager")), 403)
    other_hr = auth(other, "HR", "hr_admin")
    assert [
        s["source_id"] for s in (await c.get("/v1/learning-sources", headers=other_hr)).json()
    ] == ["linkedin"]
    assert "secret" not in json.dumps(listed)
    assert "key" not in listed["linkedin"]


@pytest.mark.postgres
@pytest.mark.kafka
async def test_an_outsized_statement_is_kept_whole_and_its_event_stays_small(
    svc: RunningService, event_tap: EventTapFactory
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    c = svc.client
    await _directory(c, tenant)
    lms = await _source(c, tenant, "lms", name="LMS")
    huge = stmt(
        LINKEDIN,
        object={
            "id": "urn:li:lyndaCourse:1",
            "definition": {"name": {"en-US": "x" * 500_000}},
        },
    )
    async with event_tap(LEARNING) as tap:
        r = await c.post("/xapi/statements", json=huge, headers=lms)
        assert r.status_code == 200, r.text
        (event,) = await tap.expect({"data": {"statement_id": huge["id"]}}, tenant=tenant)
    assert len(event["data"]["activity_name"]) == 300
    kept = (await c.get("/xapi/statements", params={"statementId": huge["id"]}, headers=lms)).json()
    assert len(kept["object"]["definition"]["name"]["en-US"]) == 500_000
