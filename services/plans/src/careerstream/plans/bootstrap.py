"""The one place the plans service is wired together."""

from pathlib import Path

from careerstream.plans.adapters.orm import metadata
from careerstream.plans.config import Settings
from careerstream.plans.entrypoints import api, consumers
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
            export_router(metadata.schema or "plans", consumers.ERASURE_RULES),
        ],
        register_consumers=consumers.register,
        description="Individual development plans, actions and check-ins, and managers' career conversations.",
    )
