"""The README's first command: `careerstream up` runs every service; `down` stops them."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from careerstream.devstack.ports import free_port_block
from careerstream.devstack.procs import StackError, ensure_port_free
from careerstream.devstack.stack import Endpoints, installed_services


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "careerstream.devstack.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _stack_env(endpoints: Endpoints, home: Path, first: int, **extra: str) -> dict[str, str]:
    """A local stack in `home` on the test Kafka and PostgreSQL, its services from port `first`."""
    return dict(
        os.environ,
        CAREERSTREAM_HOME=str(home),
        KAFKA_BOOTSTRAP_SERVERS=endpoints.kafka_bootstrap,
        DATABASE_URL=endpoints.admin_database_url,
        CAREERSTREAM_FIRST_SERVICE_PORT=str(first),
        CAREERSTREAM_SMTP_PORT=str(first + 9),  # the block's last port: after the console's
        **extra,
    )


async def _eventually(check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = await check()
        if got:
            return got
        await asyncio.sleep(0.5)
    raise AssertionError(f"not within {timeout}s")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


async def _data_keys(endpoints: Endpoints, tenant: str) -> int:
    import asyncpg

    from careerstream.devstack.testing import with_database

    conn = await asyncpg.connect(
        with_database(endpoints.admin_database_url, "careerstream_privacy")
    )
    try:
        n = await conn.fetchval(
            "SELECT count(*) FROM privacy.data_keys WHERE tenant_id = $1", tenant
        )
    finally:
        await conn.close()
    return int(n)


@pytest.mark.kafka
@pytest.mark.postgres
# `up` starts eight services one after the other and simulates a company through them:
# 240 s on a busy two-core machine, and this test runs it twice.
@pytest.mark.timeout(900)
def test_up_twice_then_down(endpoints: Endpoints, tmp_path: Path) -> None:
    first = free_port_block(10)
    env = _stack_env(
        endpoints,
        tmp_path,
        first,
        CAREERSTREAM_SIMULATE_TENANT=f"up{first}{os.getpid()}",
        CAREERSTREAM_SIMULATE_EMPLOYEES="30",
        CAREERSTREAM_SIMULATE_MONTHS="1",
        CAREERSTREAM_CONSUMER_GROUP_PREFIX=f"up{first}-",
    )
    services = installed_services()
    assert len(services) == 8
    try:
        up = _cli(["up"], env)
        assert up.returncode == 0, up.stdout + up.stderr
        for i, svc in enumerate(services):
            url = f"http://127.0.0.1:{first + i}"
            assert f"{svc:<12} {url}" in up.stdout
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as resp:
                assert resp.status == 200
        # The console too, on the port after the services', with its address printed.
        console = f"http://127.0.0.1:{first + len(services)}"
        assert f"{'console':<12} {console}" in up.stdout
        with urllib.request.urlopen(f"{console}/readyz", timeout=5) as resp:
            assert resp.status == 200
        # Loaded with a simulated company of exactly the size asked, and its metrics shown
        # in words and percentages (no Python reprs, no raw ratios beside percentages).
        assert "onboarded 30 people" in up.stdout
        assert "Truth(" not in up.stdout
        assert re.search(r"done: \d+ hired, \d+ left; ", up.stdout), up.stdout
        assert re.search(r"\(\d+\.\d\d per employee\)", up.stdout), up.stdout
        assert f"metrics      tenant up{first}{os.getpid()}, last 12 months" in up.stdout
        # The services seal personal fields with keys from the privacy service it started.
        keys = asyncio.run(_data_keys(endpoints, f"up{first}{os.getpid()}"))
        assert keys >= 30, keys

        # The notifications service told the simulated company, into the local mailbox.
        async def told() -> str | None:
            # This run's company: a mailbox kept from an earlier run may hold others' mail.
            shown = _cli(["mail"], env).stdout
            ours = re.search(rf"@up{first}{os.getpid()}\.example", shown)
            return shown if ours and "Your assessment is open" in shown else None

        mailbox = asyncio.run(_eventually(told, 60))
        assert re.search(rf"@up{first}{os.getpid()}\.example", mailbox), mailbox
        one = _cli(["mail", "1"], env)
        assert one.returncode == 0, one.stderr
        assert "Subject: " in one.stdout
        assert "unsubscribe?token=" in one.stdout
        # `status` shows each service's address, health and consumer lag.
        shown = _cli(["status"], env)
        for i, svc in enumerate(services):
            line = next(x for x in shown.stdout.splitlines() if x.startswith(f"{svc:<12}"))
            assert f"http://127.0.0.1:{first + i}" in line
            assert "  ready  consumer lag " in line, line
        pids = {p.name: p.read_text() for p in (tmp_path / "stack" / "run").glob("*.pid")}
        again = _cli(["up"], env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert {p.name: p.read_text() for p in (tmp_path / "stack" / "run").glob("*.pid")} == pids
    finally:
        down = _cli(["down"], env)
    assert down.returncode == 0, down.stdout + down.stderr
    for i in range(len(services) + 1):  # the console's port too
        assert _port_free(first + i)
    assert _port_free(first + 9)  # the mail sink's
    assert not list((tmp_path / "stack" / "run").glob("*.pid"))


def test_a_taken_port_is_named_with_what_to_do() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(StackError) as err:
            ensure_port_free("127.0.0.1", port, "Kafka", "CAREERSTREAM_KAFKA_PORT")
    assert f"port {port}" in str(err.value)
    assert "Kafka" in str(err.value)
    assert "CAREERSTREAM_KAFKA_PORT=<port>" in str(err.value)


@pytest.mark.kafka
@pytest.mark.postgres
def test_up_that_fails_stops_what_it_started(endpoints: Endpoints, tmp_path: Path) -> None:
    """A half-started platform would go on consuming and publishing: `up` is all or nothing."""
    first = free_port_block(10)
    env = _stack_env(
        endpoints,
        tmp_path,
        first,
        CAREERSTREAM_SIMULATE="0",
        CAREERSTREAM_CONSUMER_GROUP_PREFIX=f"upfail{first}-",
    )
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", first + 2))  # where the third service (plans) would listen
        blocker.listen()
        try:
            up = _cli(["up"], env)
        finally:
            _cli(["down"], env)
    assert up.returncode != 0
    assert f"port {first + 2}" in up.stdout + up.stderr
    assert "the plans service" in up.stdout + up.stderr
    assert "frameworks   stopped (the platform did not come up)" in up.stdout
    assert "assessments  stopped (the platform did not come up)" in up.stdout
    assert _port_free(first)
    assert _port_free(first + 1)
    assert not list((tmp_path / "stack" / "run").glob("*.pid"))


@pytest.mark.kafka
def test_a_start_that_fails_half_way_leaves_nothing_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from careerstream.devstack import kafka
    from careerstream.devstack.config import StackConfig
    from careerstream.devstack.stack import start_infrastructure

    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    from careerstream.devstack.config import repo_root

    first = free_port_block(3)
    home = repo_root() / ".local" / f"halfway-{first}"  # beside the shared Kafka jars
    request_cleanup = shutil.rmtree
    cfg = StackConfig(
        home=home,
        kafka_port=first,
        kafka_controller_port=first + 1,
        postgres_port=first + 2,
    )
    with socket.socket() as taken:  # PostgreSQL cannot start: its port is taken
        taken.bind(("127.0.0.1", first + 2))
        taken.listen()
        with pytest.raises(StackError, match="PostgreSQL"):
            start_infrastructure(cfg, durable=False, log=False)
    try:
        assert not kafka.is_running(cfg)
        assert _port_free(first), "the broker started by the failed call is still listening"
    finally:
        kafka.stop(cfg)
        request_cleanup(home, ignore_errors=True)


def test_no_port_is_handed_out_twice() -> None:
    from careerstream.devstack.ports import free_port

    # Nothing binds them in between: without memory, 400 draws from 8,000 ports would repeat
    # one with a probability of about 99.99%.
    ports = [free_port() for _ in range(400)]
    assert len(set(ports)) == len(ports)
