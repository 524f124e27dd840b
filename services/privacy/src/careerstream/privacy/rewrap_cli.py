"""`python -m careerstream.privacy rewrap`: re-wrap every data key with the first master key.

Rotate the master key: put a new `id:key` first in `PRIVACY_MASTER_KEYS` (keep the old
ones after it), run this (the service also does it hourly), then drop the old keys.
"""

import argparse
import asyncio

from careerstream.privacy.config import Settings
from careerstream.privacy.domain.keyring import Keyring
from careerstream.privacy.service_layer import keys as key_store
from careerstream.servicekit.db import make_engine, make_sessionmaker
from careerstream.servicekit.wiring import uow_factory


async def _run(settings: Settings) -> int:
    from careerstream.privacy.adapters.orm import metadata

    engine = make_engine(settings)
    try:
        uow = uow_factory(make_sessionmaker(engine), metadata, settings.service_name)
        return await key_store.rewrap(
            uow, Keyring.parse(settings.master_keys), settings.rewrap_batch
        )
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    n = asyncio.run(_run(Settings()))
    print(f"re-wrapped {n} data key(s)")
    return 0
