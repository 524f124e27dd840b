"""What checking and storing a full HRIS export costs the gateway: `gateway.start_import` on a
CSV of N people (each with a manager), in a migrated hris database of the test stack.

    uv run python -m bench.import_check --people 1000000

Prints the time, against a bare `csv.reader` pass over the same text in the same run (the
least any check can cost), and the memory the process held at its peak above what it held
with the upload in hand (VmHWM: a process's high-water mark, so the upload is built first).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import time

from careerstream.devstack.testing import service_database, test_infrastructure
from careerstream.hris.service_layer import gateway

HEADER = b"employee_id,display_name,job_code,manager_id,department_id,hire_date\n"


def high_water_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def upload(people: int) -> bytes:
    buf = io.BytesIO()
    buf.write(HEADER)
    for i in range(people):
        manager = f"E{i // 10:07d}" if i >= 10 else ""
        buf.write(f"E{i:07d},Person {i},ENG2,{manager},D{i % 50},2020-01-01\n".encode())
    return buf.getvalue()


async def main(admin_url: str, people: int) -> None:
    body = upload(people)
    async with service_database(admin_url, "hris") as db:
        before = high_water_mib()
        started = time.perf_counter()
        async with db.uow() as uow:
            _, total = await gateway.start_import(uow, "acme", body, "csv")
            await uow.commit()
        took = time.perf_counter() - started
        above = high_water_mib() - before
    started = time.perf_counter()  # after the import: its copy of the text would raise VmHWM
    rows = sum(1 for _ in csv.reader(io.StringIO(body.decode(), newline="")))
    bare = time.perf_counter() - started
    assert total == rows - 1 == people
    print(
        f"{people} people ({len(body) / 2**20:.0f} MiB): checked and stored in {took:.1f}s, "
        f"{took / bare:.1f} x a bare csv.reader pass ({bare:.2f}s); "
        f"peak memory {above:.0f} MiB above the upload in hand ({before:.0f} MiB)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300_000)
    args = parser.parse_args()
    with test_infrastructure() as ep:
        asyncio.run(main(ep.admin_database_url, args.people))
