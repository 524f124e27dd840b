"""The one place the hris service is wired together."""

from pathlib import Path

from careerstream.hris.adapters.orm import metadata
from careerstream.hris.config import Settings
from careerstream.hris.entrypoints import api, consumers, surveys, xapi
from careerstream.hris.service_layer import gateway
from careerstream.servicekit.erasure import export_router
from careerstream.servicekit.service import ServiceRuntime, build_runtime

MIGRATIONS = str(Path(__file__).parent / "migrations")


def build(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    rt = build_runtime(
        settings,
        metadata=metadata,
        migrations=MIGRATIONS,
        routers=[
            api.router,
            surveys.router,
            xapi.router,
            xapi.sources_router,
            export_router(metadata.schema or "hris", consumers.ERASURE_RULES),
        ],
        register_consumers=consumers.register,
        description="The HRIS gateway: vendor webhooks and full exports in, the canonical people stream out.",
    )
    rt.background += [
        gateway.releaser(rt.uow, settings.release_check_seconds),
        gateway.importer(rt.uow, settings.import_poll_seconds),
    ]
    return rt
