"""The one place the assessments service is wired together."""

from pathlib import Path

from careerstream.assessments.adapters.orm import metadata
from careerstream.assessments.config import Settings
from careerstream.assessments.entrypoints import api, consumers
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
        description="Self, manager and peer assessments, calibrated skill profiles, skills gaps and skills matrices.",
    )
