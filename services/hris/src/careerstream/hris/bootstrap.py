"""The one place the hris service is wired together."""

from pathlib import Path

from careerstream.hris.adapters.orm import metadata
from careerstream.hris.config import Settings
from careerstream.hris.entrypoints import api, consumers
from careerstream.servicekit.broker import make_broker
from careerstream.servicekit.db import make_engine, make_sessionmaker
from careerstream.servicekit.relay import OutboxRelay
from careerstream.servicekit.service import ServiceRuntime
from careerstream.servicekit.wiring import uow_factory

MIGRATIONS = str(Path(__file__).parent / "migrations")


def build(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    engine = make_engine(settings)
    uow = uow_factory(make_sessionmaker(engine), metadata, settings.service_name)
    broker = make_broker(settings)
    consumers.register(broker, uow)
    return ServiceRuntime(
        settings=settings,
        engine=engine,
        broker=broker,
        metadata=metadata,
        migrations=MIGRATIONS,
        uow=uow,
        relay=OutboxRelay(
            settings.database_url,
            settings.db_schema,
            settings.kafka_bootstrap_servers,
            service=settings.service_name,
        ),
        routers=[api.router],
        description="The HRIS gateway: vendor webhooks and full exports in, the canonical people stream out.",
    )
