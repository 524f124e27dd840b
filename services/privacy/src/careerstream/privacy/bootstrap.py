"""The one place the privacy service is wired together."""

import logging
from pathlib import Path

from careerstream.privacy.adapters.orm import metadata
from careerstream.privacy.config import Settings
from careerstream.privacy.domain.keyring import Keyring
from careerstream.privacy.entrypoints import api, consumers
from careerstream.privacy.service_layer import erasures, trail
from careerstream.privacy.service_layer import keys as key_store
from careerstream.servicekit.periodic import every
from careerstream.servicekit.service import ServiceRuntime, build_runtime

MIGRATIONS = str(Path(__file__).parent / "migrations")
log = logging.getLogger("careerstream.privacy")


def build(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    ring = Keyring.parse(settings.master_keys)
    rt = build_runtime(
        settings,
        metadata=metadata,
        migrations=MIGRATIONS,
        routers=[api.router],
        register_consumers=consumers.register,
        description=(
            "Personal data: per-employee data keys (crypto-shredding), erasure across the "
            "platform, subject access exports."
        ),
    )
    # The privacy service publishes nothing personal; its relay seals nothing.
    rt.relay.keys = None
    rt.state["keyring"] = ring
    rt.state["service_verifier"] = api.service_verifier(settings.service_secret)

    async def deadlines() -> bool:
        return await erasures.past_deadline(rt.uow) >= 100

    async def rewrap_round() -> bool:
        n = await key_store.rewrap(rt.uow, ring, settings.rewrap_batch)
        if n:
            log.info("re-wrapped %d data keys with master key %s", n, ring.current)
        return False

    async def retention() -> bool:
        return await trail.expire_accesses(rt.uow, settings.access_retention_days) >= 10_000

    rt.background += [
        every(3600.0, retention, name="access-retention", log=log),
        every(settings.deadline_check_seconds, deadlines, name="erasure-deadlines", log=log),
        every(3600.0, rewrap_round, name="rewrap", log=log),
    ]
    return rt
