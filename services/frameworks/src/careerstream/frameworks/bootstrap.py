"""The one place the frameworks service is wired together."""

from pathlib import Path

from careerstream.frameworks.adapters.orm import metadata
from careerstream.frameworks.config import Settings
from careerstream.frameworks.entrypoints import (
    consumers,
    drafts,
    paths,
    pay,
    skills,
    templates,
    versions,
)
from careerstream.servicekit.erasure import export_router
from careerstream.servicekit.service import ServiceRuntime, build_runtime

MIGRATIONS = str(Path(__file__).parent / "migrations")


def build(settings: Settings | None = None) -> ServiceRuntime:
    return build_runtime(
        settings or Settings(),
        metadata=metadata,
        migrations=MIGRATIONS,
        routers=[
            versions.router,
            templates.router,
            pay.router,
            paths.router,
            drafts.router,
            skills.router,
            export_router(metadata.schema or "frameworks", consumers.ERASURE_RULES),
        ],
        register_consumers=consumers.register,
        description="Job families, tracks, role levels, competencies and career paths; publishes framework versions.",
    )
