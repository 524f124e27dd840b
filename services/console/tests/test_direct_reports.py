"""A manager's team page asks for their direct reports alone, every page of them: a
director's line (direct and indirect) can be far more than a page, and the direct reports
are not among its first ids (no browser, no services: the paging loop)."""

import asyncio
from typing import Any

from careerstream.console.pages.manager import direct_reports


class Directory:
    """`GET /v1/people?direct=true` as the HRIS answers it: by employee id, a page at a time."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = sorted(ids)
        self.asked: list[dict[str, Any]] = []

    async def get(self, service: str, path: str, **params: Any) -> list[dict[str, Any]]:
        assert (service, path, params["direct"]) == ("hris", "/v1/people", "true")
        self.asked.append(params)
        after, limit = params.get("after"), params["limit"]
        rest = [i for i in self.ids if after is None or i > after]
        return [{"employee_id": i, "manager_id": "D"} for i in rest[:limit]]


def test_every_page_of_direct_reports_is_read() -> None:
    directory = Directory([f"E{n:05d}" for n in range(2500)])
    people = asyncio.run(direct_reports(directory))  # type: ignore[arg-type]
    assert [p["employee_id"] for p in people] == directory.ids
    assert [a.get("after") for a in directory.asked] == [None, "E00999", "E01999"]


def test_a_full_last_page_asks_once_more_and_stops_on_an_empty_one() -> None:
    directory = Directory([f"E{n:04d}" for n in range(1000)])
    assert len(asyncio.run(direct_reports(directory))) == 1000  # type: ignore[arg-type]
    assert len(directory.asked) == 2
