"""Business time: a request or an event sets it only under the test clock, production refuses
the test clock, a bad header is a 422 naming it, and events are stamped and handled at it."""
# No `from __future__ import annotations`: FastAPI reads the route annotations at runtime.

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from careerstream.servicekit import clock
from careerstream.servicekit.edge import EdgeMiddleware
from careerstream.servicekit.problems import install_problem_handlers

router = APIRouter()


@router.get("/now")
async def what_time() -> dict[str, str]:
    return {"now": clock.now().isoformat()}


def _client() -> httpx.AsyncClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)
    app.add_middleware(EdgeMiddleware)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.fixture
def test_clock() -> Iterator[None]:
    clock.configure("development", {clock.ENV: "1"})
    try:
        yield
    finally:
        clock.configure("development", {})


def test_production_refuses_the_test_clock() -> None:
    with pytest.raises(clock.TestClockRefused, match="production"):
        clock.configure("production", {clock.ENV: "1"})
    assert clock.configure("production", {}) is False
    assert clock.configure("development", {clock.ENV: "no"}) is False


async def test_without_the_test_clock_the_header_changes_nothing() -> None:
    clock.configure("development", {})
    async with _client() as c:
        r = await c.get("/now", headers={clock.HEADER: "2020-01-01T00:00:00+00:00"})
    assert datetime.fromisoformat(r.json()["now"]) > datetime.now(UTC) - timedelta(minutes=1)


async def test_a_request_happens_at_the_business_time_it_names(test_clock: None) -> None:
    async with _client() as c:
        r = await c.get("/now", headers={"X-Careerstream-Business-Time": "2026-03-01T09:30:00Z"})
        assert r.json() == {"now": "2026-03-01T09:30:00+00:00"}
        # Only while it is served: the next request without the header is on the wall clock.
        later = await c.get("/now")
        assert datetime.fromisoformat(later.json()["now"]).year >= 2026
        for bad, why in (
            ("yesterday", "is not an ISO 8601 time"),
            ("2026-03-01T09:30:00", "has no offset"),
            ("2" * 80, "longer than a time"),
        ):
            r = await c.get("/now", headers={clock.HEADER: bad})
            assert r.status_code == 422, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            (error,) = r.json()["errors"]
            assert error["field"] == "header.X-Careerstream-Business-Time"
            assert why in error["message"]


def test_events_are_handled_and_stamped_at_their_time(test_clock: None) -> None:
    when = datetime(2026, 2, 3, 4, 5, tzinfo=UTC)
    with clock.at(when):
        assert clock.now() == when
        with clock.at(None):
            assert clock.now() == when
    assert clock.now() != when
    with clock.at(datetime(2026, 2, 3)):  # a naive time is taken as UTC
        assert clock.now().tzinfo is not None
