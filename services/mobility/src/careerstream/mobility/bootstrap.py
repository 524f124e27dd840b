"""The one place the mobility service is wired together."""

from pathlib import Path

from careerstream.mobility.adapters.orm import metadata
from careerstream.mobility.config import Settings
from careerstream.mobility.entrypoints import api, consumers
from careerstream.servicekit.erasure import export_router
from careerstream.servicekit.service import ServiceRuntime, build_runtime

MIGRATIONS = str(Path(__file__).parent / "migrations")


def build(settings: Settings | None = None) -> ServiceRuntime:
    return build_runtime(
        settings or Settings(),
        metadata=metadata,
        migrations=MIGRATIONS,
        routers=[
            api.router,
            export_router(metadata.schema or "mobility", consumers.ERASURE_RULES),
        ],
        register_consumers=consumers.register,
        description="The internal talent marketplace: opportunities, competency-based matching, applications and fills.",
    )
