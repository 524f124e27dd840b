"""Framework templates: each publishable as it is; a company's framework made from one,
published, and compared with it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from careerstream.devstack.testing import RunningService
from careerstream.frameworks.domain.rules import validate
from careerstream.frameworks.domain.templates import templates
from careerstream.servicekit.auth import AuthSettings, mint_token

FAMILIES = {
    "engineering",
    "product",
    "design",
    "marketing",
    "sales",
    "customer-success",
    "people",
    "finance",
}


def auth(tenant: str, *roles: str, subject: str = "HR") -> dict[str, str]:
    token = mint_token(AuthSettings(), tenant=tenant, subject=subject, roles=list(roles))
    return {"Authorization": f"Bearer {token}"}


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


def tracks(template_id: str) -> dict[str, list[str]]:
    fw = templates()[template_id]
    family = fw.families[0]
    by_rank = sorted(family.levels, key=lambda lv: lv.rank)
    return {t.name: [lv.name for lv in by_rank if t.id in lv.track_ids] for t in family.tracks}


def test_eight_templates_each_complete_enough_to_publish() -> None:
    assert set(templates()) == FAMILIES
    for template_id, fw in templates().items():
        assert validate(fw, publishing=True) == [], template_id
        for role in fw.roles:
            assert 4 <= len(role.requirements) <= 6, role.id
        for comp in fw.competencies:
            assert [d.level for d in comp.descriptors] == [1, 2, 3, 4], comp.id
        # Entry levels ask the least, the top of each track the most.
        first = min(fw.roles, key=lambda r: fw.level_of(r).rank)  # type: ignore[union-attr]
        assert {q.level for q in first.requirements} == {1}


def test_the_seed_guides_three_examples_track_for_track() -> None:
    assert tracks("marketing") == {
        "Individual contributor": [
            "Marketing Coordinator",
            "Marketing Specialist",
            "Senior Marketing Specialist",
            "Principal Marketer",
        ],
        "Management": [
            "Marketing Coordinator",
            "Marketing Manager",
            "Senior Marketing Manager",
            "Marketing Director",
            "Chief Marketing Officer",
        ],
    }
    assert tracks("engineering") == {
        "Individual contributor": [
            "Junior Developer",
            "Software Engineer",
            "Senior Engineer",
            "Staff Engineer",
            "Principal Engineer",
        ],
        "Management": [
            "Junior Developer",
            "Software Engineer",
            "Team Lead",
            "Engineering Manager",
            "Director of Engineering",
        ],
    }
    assert tracks("customer-success") == {
        "Relationship": [
            "Customer Support Representative",
            "Customer Success Specialist",
            "Senior Success Manager",
            "Enterprise Success Manager",
        ],
        "Strategy": [
            "Customer Support Representative",
            "Success Analyst",
            "Customer Success Manager",
            "Director of Customer Success",
        ],
    }
    # Those who lead people are asked for people leadership; the others are not.
    fw = templates()["engineering"]
    leading = {
        r.title
        for r in fw.roles
        if any(q.competency_id == "people-leadership" for q in r.requirements)
    }
    assert leading == {"Team Lead", "Engineering Manager", "Director of Engineering"}


@pytest.mark.postgres
@pytest.mark.kafka
async def test_a_framework_from_a_template_published_and_compared(
    svc: RunningService, tenant: str
) -> None:
    c = svc.client
    hr, employee = auth(tenant, "hr_admin"), auth(tenant, "employee", subject="E1")

    listed = await c.get("/v1/templates", headers=employee)
    assert listed.status_code == 200, listed.text
    assert {t["template_id"] for t in listed.json()} == FAMILIES
    assert (await c.get("/v1/templates")).status_code == 401
    one = (await c.get("/v1/templates/sales", headers=employee)).json()
    assert one["document"]["id"] == "sales"
    assert one["roles"] == len(one["document"]["roles"])
    missing = problem(await c.get("/v1/templates/astrology", headers=employee), 404)
    assert "the templates are customer-success, design" in missing["detail"]
    problem(await c.get("/v1/templates/Bad%20Id", headers=employee), 422)

    # HR makes the company's engineering framework from the template.
    body = {
        "template_id": "engineering",
        "framework_id": "acme-engineering",
        "name": "Acme engineering",
    }
    problem(await c.post("/v1/frameworks/from-template", json=body, headers=employee), 403)
    unknown = problem(
        await c.post(
            "/v1/frameworks/from-template", json={**body, "template_id": "astrology"}, headers=hr
        ),
        422,
    )
    assert unknown["errors"][0]["field"] == "body.template_id"
    bad = problem(
        await c.post(
            "/v1/frameworks/from-template", json={**body, "framework_id": "Not A Slug"}, headers=hr
        ),
        422,
    )
    assert "framework_id" in str(bad["errors"])
    made = await c.post("/v1/frameworks/from-template", json=body, headers=hr)
    assert made.status_code == 201, made.text
    assert (made.json()["status"], made.json()["name"]) == ("draft", "Acme engineering")
    problem(await c.post("/v1/frameworks/from-template", json=body, headers=hr), 409)

    base = "/v1/frameworks/acme-engineering/versions/1"
    same = await c.get(f"{base}/template-diff?template_id=engineering", headers=hr)
    assert same.status_code == 200, same.text
    assert same.json()["changes"] == []  # the name aside, it is the template
    # The company adapts it: the family gets its own name.
    renamed = await c.put(
        f"{base}/families/engineering", json={"name": "Software Engineering"}, headers=hr
    )
    assert renamed.status_code == 200, renamed.text
    published = await c.post(f"{base}/publish", headers=hr)
    assert published.status_code == 200, published.text
    moved = (await c.get(f"{base}/template-diff?template_id=engineering", headers=employee)).json()
    assert [(x["change"], x["path"], x["after"]) for x in moved["changes"]] == [
        ("changed", "families[engineering].name", "Software Engineering")
    ]
    # Compared with another template, everything differs; a bad template id is named.
    assert (
        len((await c.get(f"{base}/template-diff?template_id=sales", headers=hr)).json()["changes"])
        > 10
    )
    wrong = problem(await c.get(f"{base}/template-diff?template_id=astrology", headers=hr), 422)
    assert wrong["errors"][0]["field"] == "query.template_id"
    # Another tenant has no such framework.
    problem(
        await c.get(
            f"{base}/template-diff?template_id=engineering", headers=auth(f"{tenant}x", "hr_admin")
        ),
        404,
    )
