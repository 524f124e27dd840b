"""The one place the plans service is wired together."""

import logging
from datetime import UTC, datetime
from pathlib import Path

from careerstream.plans.adapters.orm import metadata
from careerstream.plans.config import Settings
from careerstream.plans.entrypoints import api, consumers
from careerstream.plans.service_layer import retention
from careerstream.servicekit.erasure import export_router
from careerstream.servicekit.periodic import every
from careerstream.servicekit.service import ServiceRuntime, build_runtime

MIGRATIONS = str(Path(__file__).parent / "migrations")
log = logging.getLogger("careerstream.plans")


def build(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    rt = build_runtime(
        settings,
        metadata=metadata,
        migrations=MIGRATIONS,
        routers=[
            api.router,
            export_router(metadata.schema or "plans", consumers.ERASURE_RULES),
        ],
        register_consumers=consumers.register,
        description="Individual development plans, actions and check-ins, and managers' career conversations.",
    )

    async def notes() -> bool:
        now = datetime.now(UTC)
        done = await retention.expire_notes(rt.uow, settings.notes_retention_days, now)
        talked = await retention.expire_conversation_notes(
            rt.uow, settings.conversation_notes_retention_days, now
        )
        return done >= retention.BATCH or talked >= retention.BATCH

    rt.background.append(
        every(settings.notes_check_seconds, notes, name="notes-retention", log=log)
    )
    return rt
