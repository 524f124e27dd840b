"""Every service starts on a real database and broker, migrates, and reports ready."""

import pytest

from careerstream.devstack.stack import SERVICES
from careerstream.devstack.testing import ServiceUnderTest


@pytest.mark.postgres
@pytest.mark.kafka
@pytest.mark.parametrize("name", SERVICES)
async def test_starts_migrates_and_is_ready(
    name: str, service_under_test: ServiceUnderTest
) -> None:
    async with service_under_test(name, empty_database=True) as svc:
        ready = await svc.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}
        assert await svc.scalar(f"SELECT version_num FROM {name}.alembic_version") is not None
        asyncapi = await svc.client.get("/asyncapi.json")
        assert asyncapi.json()["asyncapi"].startswith("3.")
        # Served with the broker this service really uses (the committed one says kafka:9092).
        hosts = {x["host"] for x in asyncapi.json()["servers"].values()}
        assert hosts == {svc.runtime.settings.kafka_bootstrap_servers}
        metrics = await svc.client.get("/metrics")
        assert f'careerstream_outbox_backlog{{service="{name}"}} 0.0' in metrics.text
