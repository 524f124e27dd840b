"""The one place the frameworks service is wired together."""

from pathlib import Path

from careerstream.frameworks.adapters.orm import metadata
from careerstream.frameworks.config import Settings
from careerstream.frameworks.entrypoints import api, consumers
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
        description="Job families, tracks, role levels, competencies and career paths; publishes framework versions.",
    )
