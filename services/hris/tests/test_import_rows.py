"""A full import's rows live in a table of their own, read a chunk at a time: a run that dies
between chunks goes on where it stopped with every effect once, the rows go when it is done, a
bad file leaves nothing, and the migration carried the imports not yet done across."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from alembic import command

from careerstream.contracts.topics import HRIS_EMPLOYEE
from careerstream.devstack.sample import auth
from careerstream.devstack.testing import (
    EventTapFactory,
    RunningService,
    ServiceUnderTest,
    fresh_database,
)
from careerstream.hris.bootstrap import MIGRATIONS
from careerstream.hris.service_layer import gateway
from careerstream.servicekit.migrations import alembic_config, upgrade_to_head
from careerstream.servicekit.uow import UnitOfWork

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

HEADER = "employee_id,display_name,job_code,manager_id,department_id,hire_date\n"


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    # The test runs the imports itself: the background importer waits an hour between rounds.
    async with service_under_test("hris", import_poll_seconds=3600) as running:
        yield running


class Crash(Exception):
    """The process died here."""


def crashing_at(factory: Callable[[], UnitOfWork], commit: int) -> Callable[[], UnitOfWork]:
    """Units of work whose `commit`-th commit (counted across them) dies instead."""
    made = 0

    def make() -> UnitOfWork:
        uow = factory()
        real = uow.commit

        async def commit_or_die() -> None:
            nonlocal made
            made += 1
            if made == commit:
                raise Crash
            await real()

        uow.commit = commit_or_die  # type: ignore[method-assign]
        return uow

    return make


async def _start(svc: RunningService, tenant: str, csv: str) -> str:
    async with svc.runtime.uow() as uow:
        import_id, _ = await gateway.start_import(uow, tenant, csv.encode(), "csv")
        await uow.commit()
    return import_id


def _kinds(records: list[Any]) -> list[tuple[str, str]]:
    out = []
    for r in records:
        envelope = json.loads(r.value)
        out.append((envelope["type"].split(".")[3], envelope["data"]["employee_id"]))
    return sorted(out)


async def test_an_import_that_dies_between_chunks_goes_on_where_it_stopped(
    svc: RunningService, event_tap: EventTapFactory
) -> None:
    """The counts prove each row applied once: a row applied again would count as unchanged."""
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    people = [f"E{i:02d}" for i in range(11)]
    first = HEADER + "".join(f"{e},P {e},ENG1,,D1,2020-01-01\n" for e in people)
    uow = svc.runtime.uow
    async with event_tap(HRIS_EMPLOYEE) as tap:
        import_id = await _start(svc, tenant, first)
        # Chunks of 3: the third chunk's commit dies; the rerun starts at the seventh row.
        with pytest.raises(Crash):
            await gateway.run_import(crashing_at(uow, 3), tenant, import_id, chunk=3)
        status = (await svc.client.get(f"/v1/imports/{import_id}", headers=_hr(tenant))).json()
        assert (status["done"], status["total"], status["status"]) == (6, 11, "running")
        assert await gateway.run_import(uow, tenant, import_id, chunk=3) == {"hired": 11}
        assert _kinds(await tap.wait_for(11, tenant=tenant)) == [("hired", e) for e in people]
        assert await _rows_left(svc, import_id) == 0

        # Five of the eleven leave (absent from the next file); the run dies among the leavers.
        second = HEADER + "".join(f"{e},P {e},ENG2,,D1,2020-01-01\n" for e in people[:6])
        import_id = await _start(svc, tenant, second)
        with pytest.raises(Crash):  # chunks of 2: three of changes, then the second of leavers
            await gateway.run_import(crashing_at(uow, 5), tenant, import_id, chunk=2)
        assert await gateway.run_import(uow, tenant, import_id, chunk=2) == {
            "changed": 6,
            "terminated": 5,
        }
        events = _kinds(await tap.wait_for(11, tenant=tenant))
    assert events == sorted(
        [("changed", e) for e in people[:6]] + [("terminated", e) for e in people[6:]]
    )
    status = (await svc.client.get(f"/v1/imports/{import_id}", headers=_hr(tenant))).json()
    assert (status["status"], status["done"], status["total"]) == ("done", 6, 6)
    assert status["counts"] == {"changed": 6, "terminated": 5}
    assert await _rows_left(svc, import_id) == 0


async def test_a_bad_file_leaves_no_import_and_no_rows(svc: RunningService) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    # Errors found at the end of the file (a manager no one knows) come after rows were written.
    rows = "".join(f"E{i:05d},P,ENG1,,D1,\n" for i in range(12_000))
    bad = HEADER + rows + "X1,P,ENG1,NOBODY,D1,\n"
    resp = await svc.client.post(
        "/v1/imports", content=bad, headers={**_hr(tenant), "Content-Type": "text/csv"}
    )
    assert resp.status_code == 422, resp.text
    assert resp.json()["errors"] == [
        {"line": 12_002, "message": "manager_id NOBODY is neither in the file nor known"}
    ]
    assert await svc.scalar("SELECT count(*) FROM hris.imports WHERE tenant_id = $1", tenant) == 0
    assert (
        await svc.scalar("SELECT count(*) FROM hris.import_rows WHERE tenant_id = $1", tenant) == 0
    )
    # A manager the gateway knows from before is not an error.
    good = HEADER + "M1,Mia,MGR,,D1,\n"
    started = await svc.client.post(
        "/v1/imports", content=good, headers={**_hr(tenant), "Content-Type": "text/csv"}
    )
    assert await gateway.run_import(svc.runtime.uow, tenant, started.json()["import_id"]) == {
        "hired": 1
    }
    later = HEADER + "M1,Mia,MGR,,D1,\nE1,Ada,ENG1,M1,D1,\n"
    assert (
        await svc.client.post(
            "/v1/imports", content=later, headers={**_hr(tenant), "Content-Type": "text/csv"}
        )
    ).json()["total"] == 2


def _hr(tenant: str) -> dict[str, str]:
    return auth(tenant, "HR", "hr_admin")


async def _rows_left(svc: RunningService, import_id: str) -> Any:
    return await svc.scalar("SELECT count(*) FROM hris.import_rows WHERE import_id = $1", import_id)


@pytest.mark.postgres
async def test_the_migration_carries_the_imports_not_yet_done_across(
    admin_database_url: str,
) -> None:
    def row(line: int, emp: str, hire: str | None) -> dict[str, Any]:
        return {
            "line": line,
            "record": {"employee_id": emp, "display_name": f"P {emp}", "groups": {"gender": "f"}},
            "hire_date": hire,
        }

    pending = [row(2, "E1", "2024-01-02"), row(3, "E2", None)]  # the first one done
    async with fresh_database(admin_database_url) as db:
        url = db.replace("postgresql://", "postgresql+asyncpg://", 1)
        cfg = alembic_config(MIGRATIONS, url, "hris")
        await asyncio.to_thread(command.upgrade, cfg, "0007")
        conn = await asyncpg.connect(db)
        try:
            for import_id, status, rows in (
                ("imp-pending", "pending", pending),
                ("imp-done", "done", [row(2, "E9", None)]),
            ):
                await conn.execute(
                    "INSERT INTO hris.imports (tenant_id, import_id, status, rows, total, done,"
                    " counts, created_at) VALUES ('acme', $1, $2, $3::jsonb, $4, 1, '{}', now())",
                    import_id,
                    status,
                    json.dumps(rows),
                    len(rows),
                )
            await upgrade_to_head(MIGRATIONS, url, "hris")
            moved = [
                dict(r)
                for r in await conn.fetch(
                    "SELECT import_id, line, employee_id, record, hire_date::text"
                    " FROM hris.import_rows ORDER BY import_id, line"
                )
            ]
            resume = await conn.fetchval(
                "SELECT after_line FROM hris.imports WHERE import_id = 'imp-pending'"
            )
            await asyncio.to_thread(command.downgrade, cfg, "0007")
            back = json.loads(
                await conn.fetchval("SELECT rows FROM hris.imports WHERE import_id = 'imp-pending'")
            )
        finally:
            await conn.close()
    assert moved == [
        {
            "import_id": "imp-pending",
            "line": 2,
            "employee_id": "E1",
            "record": json.dumps({"groups": {"gender": "f"}, "display_name": "P E1"}),
            "hire_date": "2024-01-02",
        },
        {
            "import_id": "imp-pending",
            "line": 3,
            "employee_id": "E2",
            "record": json.dumps({"groups": {"gender": "f"}, "display_name": "P E2"}),
            "hire_date": None,
        },
    ]
    assert back == pending
    assert resume == 2  # one row was done: a resumed run goes on after its line
