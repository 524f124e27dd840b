"""Fixtures of the frameworks service's tests: the service in-process and a fresh tenant."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from careerstream.devstack.testing import RunningService, ServiceUnderTest


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("frameworks") as running:
        yield running


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"
