"""Every service's migrations produce exactly the tables its models declare (alembic check)."""

from __future__ import annotations

import asyncio
import importlib

import pytest
from alembic import command

from careerstream.devstack.stack import SERVICES
from careerstream.devstack.testing import fresh_database
from careerstream.servicekit.migrations import alembic_config, upgrade_to_head

pytestmark = [pytest.mark.postgres]


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_models(service: str, admin_database_url: str) -> None:
    bootstrap = importlib.import_module(f"careerstream.{service}.bootstrap")
    async with fresh_database(admin_database_url) as db:
        url = db.replace("postgresql://", "postgresql+asyncpg://", 1)
        await upgrade_to_head(bootstrap.MIGRATIONS, url, service)
        cfg = alembic_config(bootstrap.MIGRATIONS, url, service)
        # Raises when autogenerate would find anything to do.
        await asyncio.to_thread(command.check, cfg)
