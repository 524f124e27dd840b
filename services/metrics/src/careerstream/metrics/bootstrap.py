"""The one place the metrics service is wired together."""

from pathlib import Path

from careerstream.metrics.adapters.orm import metadata
from careerstream.metrics.config import Settings
from careerstream.metrics.entrypoints import api, consumers
from careerstream.metrics.service_layer import snapshots, views
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
            export_router(metadata.schema or "metrics", consumers.ERASURE_RULES),
        ],
        register_consumers=consumers.register,
        description="Programme metrics: mobility, development, skills, engagement, retention and fairness.",
    )
    rt.background.append(
        snapshots.daily(rt.uow, settings.anonymity_threshold, settings.snapshot_check_seconds)
    )
    rt.background.append(
        views.refresher(
            rt.uow,
            views.Policy(settings.view_max_age_seconds, settings.view_keep_warm_seconds),
            settings.view_refresh_seconds,
        )
    )
    return rt
