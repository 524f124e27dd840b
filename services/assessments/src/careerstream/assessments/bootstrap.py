"""The one place the assessments service is wired together."""

from pathlib import Path

from careerstream.assessments.adapters.orm import metadata
from careerstream.assessments.config import Settings
from careerstream.assessments.entrypoints import api, consumers
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
            export_router(metadata.schema or "assessments", consumers.ERASURE_RULES),
        ],
        register_consumers=consumers.register,
        description="Self, manager and peer assessments, calibrated skill profiles, skills gaps and skills matrices.",
    )
