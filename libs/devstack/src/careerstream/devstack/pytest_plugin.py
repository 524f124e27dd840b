"""pytest fixtures for tests that need the real Kafka and PostgreSQL.

Enabled from the repository's root conftest.py. See `careerstream.devstack.testing`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from careerstream.devstack import kafka
from careerstream.devstack.stack import Endpoints
from careerstream.devstack.testing import (
    EventTap,
    EventTapFactory,
    ServiceDatabase,
    ServiceUnderTest,
    drop_templates,
    fresh_database,
    service_database,
    service_factory,
    test_infrastructure,
    unique_name,
)

# Tests assert exact figures the moment the facts are in: a metrics view answers from the
# facts as they are (its kept answers only while nothing changed), never from an answer a few
# minutes old as production allows (services/metrics/METRICS.md, "Kept answers").
os.environ.setdefault("METRICS_VIEW_MAX_AGE_SECONDS", "0")


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    with test_infrastructure() as ep:
        yield ep


@pytest.fixture(scope="session")
def kafka_bootstrap(endpoints: Endpoints) -> str:
    return endpoints.kafka_bootstrap


@pytest.fixture(scope="session")
def admin_database_url(endpoints: Endpoints) -> str:
    return endpoints.admin_database_url


@pytest.fixture
async def database_url(admin_database_url: str) -> AsyncIterator[str]:
    """A fresh, empty database for this test (libpq URL)."""
    async with fresh_database(admin_database_url) as url:
        yield url


TopicFactory = Callable[..., Awaitable[str]]


@pytest.fixture(scope="session")
async def _service_templates(admin_database_url: str) -> AsyncIterator[None]:
    yield
    await drop_templates(admin_database_url)


@pytest.fixture
def service_db(
    admin_database_url: str, _service_templates: None
) -> Callable[[str], AbstractAsyncContextManager[ServiceDatabase]]:
    """`async with service_db("plans") as db: async with db.uow() as u: ...`: a service's own
    database, migrated, for service-layer tests (a copy of a template migrated once)."""

    def open_(name: str) -> AbstractAsyncContextManager[ServiceDatabase]:
        return service_database(admin_database_url, name)

    return open_


@pytest.fixture
async def new_topic(kafka_bootstrap: str) -> AsyncIterator[TopicFactory]:
    """`await new_topic(partitions=12)`: a topic of this test's own, deleted afterwards."""
    created: list[str] = []

    async def make(prefix: str = "test", partitions: int = 12) -> str:
        name = unique_name(prefix).replace("_", ".")
        await kafka.create_topics(kafka_bootstrap, [name], partitions=partitions)
        created.append(name)
        return name

    yield make
    if created:
        await kafka.delete_topics(kafka_bootstrap, created)


@pytest.fixture(scope="session")
async def platform_topics(kafka_bootstrap: str) -> list[str]:
    """The contract's topics (and their DLQs), created once: services publish to them."""
    from careerstream.devstack.stack import platform_topics as names

    topics = names()
    await kafka.create_platform_topics(kafka_bootstrap, topics, partitions=3)
    return topics


@pytest.fixture
def service_under_test(endpoints: Endpoints, platform_topics: list[str]) -> ServiceUnderTest:
    return service_factory(endpoints)


@pytest.fixture
def event_tap(kafka_bootstrap: str, platform_topics: list[str]) -> EventTapFactory:
    """`async with event_tap(topic) as tap: ...; events = await tap.wait_for(n, tenant=...)`."""
    return lambda topic: EventTap(kafka_bootstrap, topic)


Emit = Callable[..., Awaitable[None]]


@pytest.fixture
async def emit(kafka_bootstrap: str, platform_topics: list[str]) -> AsyncIterator[Emit]:
    """`await emit(payload, ..., tenant=..., source="hris")`: events onto their contract topics, in order."""
    from aiokafka import AIOKafkaProducer

    from careerstream.contracts.envelope import encode, make_event

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()

    async def send(*payloads: Any, tenant: str, source: str = "hris") -> None:
        for payload in payloads:
            event = make_event(payload, tenant_id=tenant, source=f"/careerstream/{source}")
            await producer.send_and_wait(payload.topic, encode(event), key=event.key.encode())

    try:
        yield send
    finally:
        await producer.stop()
