"""One platform shared by the end-to-end tests that need nothing of their own.

Starting a platform (every service its own process, each on a fresh database) takes about
half a minute on a two-core machine. The tests that run with the anonymity threshold at 1 and
otherwise the defaults share one; each works in a tenant of its own, as the tests of one
session share one Kafka anyway. Tests that kill services, restart the broker, run replicas
or need settings of their own start their own platform.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from careerstream.devstack.processes import Platform, platform
from careerstream.devstack.stack import Endpoints


@pytest.fixture(scope="session")
async def _shared_platform(
    endpoints: Endpoints, platform_topics: list[str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    logs: Path = tmp_path_factory.mktemp("shared-platform")
    async with platform(endpoints, logs, {"METRICS_ANONYMITY_THRESHOLD": "1"}) as p:
        yield p


@pytest.fixture
async def shared_platform(_shared_platform: Platform) -> Platform:
    """The shared platform, every service running (a test that stopped one and failed before
    starting it again does not take the next test down with it)."""
    p = _shared_platform
    for name, svc in p.services.items():
        if svc.process is None or svc.process.poll() is not None:
            svc.start()
            await p.ready(name)
    return p
