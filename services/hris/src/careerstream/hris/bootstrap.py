"""The one place the hris service is wired together."""

from pathlib import Path

from careerstream.hris.adapters.orm import metadata
from careerstream.hris.config import Settings
from careerstream.hris.entrypoints import api, consumers
from careerstream.servicekit.broker import make_broker
from careerstream.servicekit.db import make_engine
from careerstream.servicekit.service import ServiceRuntime

MIGRATIONS = str(Path(__file__).parent / "migrations")


def build(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    broker = make_broker(settings)
    consumers.register(broker)
    return ServiceRuntime(
        settings=settings,
        engine=make_engine(settings),
        broker=broker,
        metadata=metadata,
        migrations=MIGRATIONS,
        routers=[api.router],
        description="The HRIS gateway: vendor webhooks and full exports in, the canonical people stream out.",
    )
