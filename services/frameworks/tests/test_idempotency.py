"""Idempotency-Key on a real service: a retried write is applied once and answered again."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from careerstream.contracts.topics import FRAMEWORK
from careerstream.devstack.testing import EventTapFactory, RunningService
from careerstream.servicekit.auth import AuthSettings, mint_token

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
EXAMPLE = Path(__file__).parents[1] / "examples" / "typical-company.yaml"


def hr(tenant: str) -> dict[str, str]:
    token = mint_token(AuthSettings(), tenant=tenant, subject="HR", roles=["hr_admin"])
    return {"Authorization": f"Bearer {token}"}


async def test_a_retried_import_is_applied_once(
    svc: RunningService, tenant: str, event_tap: EventTapFactory
) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    headers = {**hr(tenant), **key, "Content-Type": "application/yaml"}
    async with event_tap(FRAMEWORK) as tap:
        first = await svc.client.post(
            "/v1/frameworks/import?publish=true", content=EXAMPLE.read_bytes(), headers=headers
        )
        again = await svc.client.post(
            "/v1/frameworks/import?publish=true", content=EXAMPLE.read_bytes(), headers=headers
        )
        assert first.status_code == 201, first.text
        assert "idempotent-replayed" not in first.headers
        assert again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        assert again.headers.get("location") == first.headers.get("location")
        published = await tap.wait_for(2, tenant=tenant, timeout=6)
        assert len(published) == 1  # a second publication would have arrived by now
    listed = (await svc.client.get("/v1/frameworks", headers=hr(tenant))).json()
    assert len(listed) == 1
    versions = await svc.scalar(
        "SELECT count(*) FROM frameworks.framework_versions WHERE tenant_id = $1", tenant
    )
    assert versions == 1


async def test_copies_racing_each_other_apply_once(svc: RunningService, tenant: str) -> None:
    headers = {**hr(tenant), "Idempotency-Key": "create-acme"}
    body = {"id": "acme", "name": "Acme careers"}
    answers = await asyncio.gather(
        *(svc.client.post("/v1/frameworks", json=body, headers=headers) for _ in range(5))
    )
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 4
    assert len((await svc.client.get("/v1/frameworks", headers=hr(tenant))).json()) == 1


async def test_a_key_reused_for_another_request_is_refused(
    svc: RunningService, tenant: str
) -> None:
    headers = {**hr(tenant), "Idempotency-Key": "k1"}
    made = await svc.client.post(
        "/v1/frameworks", json={"id": "acme", "name": "Acme"}, headers=headers
    )
    assert made.status_code == 201, made.text
    other = await svc.client.post(
        "/v1/frameworks", json={"id": "beta", "name": "Beta"}, headers=headers
    )
    assert other.status_code == 422
    assert other.json()["title"] == "Idempotency-Key reused"
    ids = {
        f["framework_id"]
        for f in (await svc.client.get("/v1/frameworks", headers=hr(tenant))).json()
    }
    assert ids == {"acme"}


async def test_what_was_refused_is_not_remembered(svc: RunningService, tenant: str) -> None:
    headers = {**hr(tenant), "Idempotency-Key": "k2"}
    refused = await svc.client.post("/v1/frameworks", json={"id": "acme"}, headers=headers)
    assert refused.status_code == 422  # no name: nothing was written, so nothing is kept
    fixed = await svc.client.post(
        "/v1/frameworks", json={"id": "acme", "name": "Acme"}, headers=headers
    )
    assert fixed.status_code == 201, fixed.text


async def test_keys_belong_to_their_caller(svc: RunningService, tenant: str) -> None:
    other_tenant = f"{tenant}x"
    body = {"id": "acme", "name": "Acme"}
    for t in (tenant, other_tenant):
        made = await svc.client.post(
            "/v1/frameworks", json=body, headers={**hr(t), "Idempotency-Key": "same"}
        )
        assert made.status_code == 201, made.text
        assert "idempotent-replayed" not in made.headers
    for t in (tenant, other_tenant):
        assert len((await svc.client.get("/v1/frameworks", headers=hr(t))).json()) == 1


async def test_an_answer_that_cannot_be_kept_undoes_the_request(
    svc: RunningService, tenant: str
) -> None:
    """The answer and the effects commit together: without one, the other is not kept."""
    headers = {**hr(tenant), "Idempotency-Key": "k3"}
    body = {"id": "acme", "name": "Acme"}
    await svc.scalar("ALTER TABLE frameworks.idempotency RENAME TO idempotency_away")
    try:
        try:
            status = (
                await svc.client.post("/v1/frameworks", json=body, headers=headers)
            ).status_code
        except Exception:  # the test transport hands the app's error over instead of a 500
            status = 500
    finally:
        await svc.scalar("ALTER TABLE frameworks.idempotency_away RENAME TO idempotency")
    assert status == 500
    assert (await svc.client.get("/v1/frameworks", headers=hr(tenant))).json() == []
    # The retry applies it, once.
    retried = await svc.client.post("/v1/frameworks", json=body, headers=headers)
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
    assert len((await svc.client.get("/v1/frameworks", headers=hr(tenant))).json()) == 1
