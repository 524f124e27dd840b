"""The inbox drops a redelivery, never another tenant's or another source's event.

CloudEvents makes `source` + `id` unique, not `id` alone, and a customer's producer (or
two simulations with one seed) may reuse ids across tenants. Here one id is used by two
tenants and two sources: every event is applied, and only a true redelivery is dropped.
"""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaProducer

from careerstream.contracts.envelope import encode, make_event
from careerstream.devstack.sample import framework, hired, wait_until
from careerstream.devstack.testing import ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


async def test_one_id_in_two_tenants_and_two_sources_is_three_events(
    service_under_test: ServiceUnderTest, kafka_bootstrap: str
) -> None:
    a, b = f"t{uuid.uuid4().hex[:10]}", f"t{uuid.uuid4().hex[:10]}"
    same = "sim-7-20"  # what two simulations with the same seed used to send
    events = [
        make_event(framework(), tenant_id=a, source="/careerstream/frameworks", event_id=same),
        make_event(
            hired("E1", "eng.engineer", None),
            tenant_id=a,
            source="/careerstream/hris",
            event_id=same,
        ),
        make_event(
            hired("E1", "eng.engineer", None),
            tenant_id=b,
            source="/careerstream/hris",
            event_id=same,
        ),
    ]
    async with service_under_test("plans") as svc:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        await producer.start()
        try:
            for _ in range(2):  # every event twice: the second copy is a redelivery
                for e in events:
                    topic = (
                        framework().topic
                        if "frameworks" in e.source
                        else hired("E1", None, None).topic
                    )
                    await producer.send_and_wait(topic, encode(e), key=e.key.encode())
        finally:
            await producer.stop()
        await wait_until(svc, "SELECT count(*) FROM plans.roles WHERE tenant_id = $1", a, want=3)
        for tenant in (a, b):
            await wait_until(
                svc, "SELECT count(*) FROM plans.employees WHERE tenant_id = $1", tenant, want=1
            )
        # Each of the three events recorded once per consumer that applied it; the copies dropped.
        keys = await svc.scalar(
            "SELECT count(DISTINCT event_id) FROM plans.inbox WHERE event_id LIKE $1",
            f"%|{same}",
        )
        assert keys == 3
