"""A service runs on a Kafka that authenticates and authorises, with exactly the ACLs its
chart's KafkaUser grants: it logs in with SCRAM-SHA-512 (servicekit.kafka_security), reads
and writes what its code does, and is refused what it does not.

The broker is real Apache Kafka with SASL and the StandardAuthorizer (as Strimzi runs it);
the ACLs are read from the chart rendered for the operators installation, not written here.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from careerstream.contracts.envelope import encode, make_event
from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.contracts.topics import (
    ALL_TOPICS,
    FRAMEWORK,
    HRIS_EMPLOYEE,
    HRIS_SURVEY,
    dlq_topic,
)
from careerstream.devstack import chart
from careerstream.devstack.config import StackConfig
from careerstream.devstack.ports import free_port
from careerstream.devstack.processes import Service, eventually
from careerstream.devstack.secured_kafka import Grant, SecuredKafka
from careerstream.devstack.testing import unique_name
from careerstream.servicekit.auth import AuthSettings, mint_token

from .test_helm_chart import RELEASE, _of, rendered

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
SERVICE = "frameworks"
USER = f"{RELEASE}-{SERVICE}"  # the KafkaUser's name is its SCRAM user name
PASSWORD = "frameworks-secret"
SERVICES = sorted(chart.topology()["services"])
EXAMPLE = (
    Path(__file__).parents[2] / "services" / "frameworks" / "examples" / "typical-company.yaml"
)


def _password(service: str) -> str:
    return f"{service}-secret"


def _chart(service: str) -> tuple[list[dict[str, Any]], str]:
    """The service's ACLs and consumer-group prefix, as the operators installation renders them."""
    docs = rendered("values-operators.yaml")
    acls = _of(docs, "KafkaUser")[f"{RELEASE}-{service}"]["spec"]["authorization"]["acls"]
    consumers = _of(docs, "Deployment")[f"{RELEASE}-{service}-consumers"]
    env = {
        e["name"]: e.get("value")
        for c in consumers["spec"]["template"]["spec"]["containers"]
        for e in c.get("env", [])
    }
    assert env.get("CAREERSTREAM_KAFKA_SASL_MECHANISM") == "SCRAM-SHA-512", env
    return acls, env.get("CAREERSTREAM_CONSUMER_GROUP_PREFIX") or ""


@pytest.fixture(scope="module")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredKafka]:
    home = tmp_path_factory.mktemp("secured-kafka")
    users = {f"{RELEASE}-{s}": _password(s) for s in SERVICES}
    with SecuredKafka(StackConfig.for_tests(), home, users=users) as k:
        asyncio.run(_create_topics(k))
        k.grant_all(g for service in SERVICES for g in _grants(service))
        yield k


def _grants(service: str) -> list[Grant]:
    """Strimzi's User Operator turns the KafkaUser into ACLs; AclCommand does it here."""
    acls, _ = _chart(service)
    batches: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for acl in acls:
        assert acl["resource"]["patternType"] == "literal", acl
        key = (acl["resource"]["type"], tuple(acl["operations"]))
        batches.setdefault(key, []).append(acl["resource"]["name"])
    return [
        Grant(f"{RELEASE}-{service}", resource, tuple(names), operations)
        for (resource, operations), names in batches.items()
    ]


def _service(kafka: SecuredKafka, service: str, database_url: str, log: Path) -> Service:
    """The service's process, logging in as its KafkaUser."""
    _, prefix = _chart(service)
    port = free_port()
    upper = service.upper()
    return Service(
        service,
        port,
        {
            **os.environ,
            **kafka.env(f"{RELEASE}-{service}"),
            f"{upper}_DATABASE_URL": database_url,
            f"{upper}_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
            f"{upper}_HTTP_PORT": str(port),
            "CAREERSTREAM_CONSUMER_GROUP_PREFIX": prefix,
            "CAREERSTREAM_LOG_LEVEL": "INFO",
        },
        log,
    )


async def _ready(svc: Service, client: httpx.AsyncClient) -> None:
    async def ready() -> bool:
        assert svc.process is not None
        if svc.process.poll() is not None:  # not retried: it stopped
            raise RuntimeError(f"it exited:\n{svc.log.read_text()[-3000:]}")
        return (await client.get("/readyz")).status_code == 200

    await eventually(ready, f"{svc.name} logged in and became ready", timeout=90)


REFUSALS = ("AuthorizationFailed", "not authorized", "Authentication failed")


def _no_refusal(log: Path) -> None:
    text = log.read_text()
    for word in REFUSALS:
        assert word not in text, f"{word!r} in {log}:\n{text[-3000:]}"


async def _create_topics(kafka: SecuredKafka) -> None:
    admin = AIOKafkaAdminClient(**kafka.admin_options())
    await admin.start()
    try:
        names = [*ALL_TOPICS, *(dlq_topic(t) for t in ALL_TOPICS)]
        await admin.create_topics([NewTopic(n, 3, 1) for n in names])
    finally:
        await admin.close()


def _hire(employee: str) -> EmployeeHired:
    return EmployeeHired(
        employee_id=employee,
        effective_date=date(2026, 1, 1),
        recorded_at=datetime.now(UTC),
        details=EmploymentDetails(role_id="eng.engineer", manager_id="M1"),
    )


async def _refused(kafka: SecuredKafka, what: str, topic: str, group: str) -> KafkaError:
    """What the broker says when the service's user tries `what` on `topic` (in `group`)."""
    creds = kafka.client_options(USER, PASSWORD)

    async def attempt() -> None:
        if what == "produce":
            producer = AIOKafkaProducer(**creds, request_timeout_ms=10000)
            await producer.start()
            try:
                await producer.send_and_wait(topic, b"{}")
            finally:
                await producer.stop()
            return
        consumer = AIOKafkaConsumer(**creds, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.subscribe([topic])
            while True:
                await consumer.getmany(timeout_ms=1000)
        finally:
            await consumer.stop()

    try:
        await asyncio.wait_for(attempt(), timeout=30)
    except KafkaError as exc:
        return exc
    except TimeoutError:
        pass
    raise AssertionError(f"{what} on {topic} in {group} was not refused")


async def test_a_service_runs_with_exactly_the_acls_its_chart_grants(
    kafka: SecuredKafka, database_url: str, tmp_path: Path
) -> None:
    _, prefix = _chart(SERVICE)
    svc = _service(kafka, SERVICE, database_url, tmp_path / "frameworks.log")
    svc.start()
    try:
        async with httpx.AsyncClient(base_url=svc.url, timeout=30) as client:
            await _ready(svc, client)
            tenant = unique_name("acl")

            # Read: an HRIS hire reaches the service's directory through its consumer group.
            producer = AIOKafkaProducer(**kafka.admin_options(), acks="all")
            await producer.start()
            try:
                event = make_event(_hire("E1"), tenant_id=tenant, source="/careerstream/hris")
                await producer.send_and_wait(HRIS_EMPLOYEE, encode(event), key=event.key.encode())
            finally:
                await producer.stop()
            conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
            try:

                async def hired() -> bool:
                    return bool(
                        await conn.fetchval(
                            "SELECT count(*) FROM frameworks.employees WHERE tenant_id = $1",
                            tenant,
                        )
                    )

                await eventually(hired, "the hire in the frameworks directory", timeout=60)
            finally:
                await conn.close()

            # Write: a published framework leaves through the outbox onto the service's topic.
            watcher = AIOKafkaConsumer(**kafka.admin_options(), enable_auto_commit=False)
            await watcher.start()
            try:
                tps = [TopicPartition(FRAMEWORK, p) for p in range(3)]
                watcher.assign(tps)
                for tp, end in (await watcher.end_offsets(tps)).items():
                    watcher.seek(tp, end)
                token = mint_token(AuthSettings(), tenant=tenant, subject="HR", roles=["hr_admin"])
                resp = await client.post(
                    "/v1/frameworks/import?publish=true",
                    content=EXAMPLE.read_bytes(),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/yaml",
                    },
                )
                assert resp.status_code == 201, resp.text

                async def published() -> list[dict[str, Any]]:
                    batches = await watcher.getmany(timeout_ms=500)
                    return [
                        e
                        for records in batches.values()
                        for r in records
                        if (e := json.loads(r.value)).get("tenantid") == tenant
                    ]

                events = await eventually(published, "the framework event on Kafka", timeout=60)
                assert events[0]["type"] == "careerstream.frameworks.framework.published.v1"
            finally:
                await watcher.stop()
    finally:
        svc.stop(signal.SIGTERM)
    _no_refusal(svc.log)

    # And nothing more: a topic it does not read, one it does not write, a group not its own.
    own = f"{prefix}{SERVICE}-people"
    admin = AIOKafkaAdminClient(**kafka.client_options(USER, PASSWORD))
    await admin.start()
    try:
        described = await admin.describe_topics([HRIS_SURVEY, HRIS_EMPLOYEE])
    finally:
        await admin.close()
    codes = {t["topic"]: t["error_code"] for t in described}
    assert codes == {HRIS_SURVEY: TopicAuthorizationFailedError.errno, HRIS_EMPLOYEE: 0}
    refused = await _refused(kafka, "produce", HRIS_EMPLOYEE, own)
    assert isinstance(refused, TopicAuthorizationFailedError), refused
    refused = await _refused(kafka, "consume", HRIS_EMPLOYEE, f"{prefix}someone-else")
    assert isinstance(refused, GroupAuthorizationFailedError), refused


async def test_a_wrong_password_is_refused_at_login(kafka: SecuredKafka) -> None:
    producer = AIOKafkaProducer(**kafka.client_options(USER, "not-the-password"))
    with pytest.raises(KafkaError):
        await producer.start()
    await producer.stop()


@pytest.mark.parametrize("service", [s for s in SERVICES if s != SERVICE])
async def test_every_service_starts_and_joins_its_groups_with_only_its_acls(
    kafka: SecuredKafka, database_url: str, tmp_path: Path, service: str
) -> None:
    groups = [g["name"] for g in chart.topology()["services"][service]["consumerGroups"]]
    svc = _service(kafka, service, database_url, tmp_path / f"{service}.log")
    svc.start()
    try:
        async with httpx.AsyncClient(base_url=svc.url, timeout=30) as client:
            await _ready(svc, client)

        # A partition is assigned only after the group was joined (Read on the group) and
        # the topic's metadata read (Describe): FastStream logs it under the group's name.
        async def joined() -> list[str]:
            lines = [
                ln for ln in svc.log.read_text().splitlines() if "assigned to partitions" in ln
            ]
            missing = [g for g in groups if not any(f"| {g} " in ln for ln in lines)]
            assert not missing, f"not yet assigned: {missing}"
            return groups

        await eventually(joined, f"{service}'s consumer groups assigned", timeout=60)
    finally:
        svc.stop(signal.SIGTERM)
    _no_refusal(svc.log)
