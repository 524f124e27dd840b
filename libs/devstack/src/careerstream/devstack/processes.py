"""The whole platform as separate processes: every service its own process (end-to-end tests, benches).

Each service gets a fresh database on the test PostgreSQL and the test Kafka;
they talk to each other only through Kafka. `Platform` starts them, waits until
each answers /readyz, gives an HTTP client per service, and stops them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from careerstream.devstack.ports import free_port
from careerstream.devstack.stack import SERVICES, Endpoints
from careerstream.devstack.testing import (
    fresh_database,
    migrated_database,
    start_groups_at_the_end,
)

T = TypeVar("T")


@dataclass
class Service:
    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    args: tuple[str, ...] = ()
    """e.g. ("--api-only",) or ("--consumers-only",)."""

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"careerstream.{self.name}", "serve", *self.args],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def tell(self, sig: int = signal.SIGTERM) -> None:
        """Send `sig` if the process is running (without waiting for it)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM, *, signalled: bool = False) -> None:
        """Signal the process (unless `signalled` already) and wait for it to exit: a second
        SIGTERM would make uvicorn skip its graceful shutdown."""
        if not signalled:
            self.tell(sig)
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Platform:
    services: dict[str, Service] = field(default_factory=dict)
    extra: dict[str, Service] = field(default_factory=dict)
    """Replicas and consumers-only processes, by `<service>#<n>`."""
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    def __getitem__(self, name: str) -> httpx.AsyncClient:
        return self.clients[name]

    async def ready(self, name: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        svc = self.services[name]
        while time.monotonic() < deadline:
            assert svc.process is not None
            if svc.process.poll() is not None:
                raise AssertionError(
                    f"{name} exited during start-up:\n{svc.log.read_text()[-3000:]}"
                )
            try:
                resp = await self.clients[name].get("/readyz")
                if resp.status_code == 200:
                    # The one we started, not another process answering on its port.
                    assert resp.json().get("service") == name, (
                        f"{name}'s port {svc.port} is answered by {resp.json().get('service')}"
                    )
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
        raise AssertionError(f"{name} not ready in {timeout}s:\n{svc.log.read_text()[-3000:]}")

    async def restart(self, name: str, sig: int = signal.SIGKILL) -> None:
        self.services[name].stop(sig)
        self.services[name].start()
        await self.ready(name)


@asynccontextmanager
async def platform(
    endpoints: Endpoints,
    logs: Path,
    extra_env: dict[str, str] | None = None,
    *,
    replicas: dict[str, int] | None = None,
    split: tuple[str, ...] = (),
    migrated: bool = True,
) -> AsyncIterator[Platform]:
    """`replicas`: more processes of a service (same database, own port: they share the work
    through their consumer groups and outbox lanes); `split`: services run as an API-only
    process (the one the clients talk to) plus a consumers-only process; `migrated`: each
    service's database is a copy of one migrated once (`testing.migrated_database`; the caller
    drops those templates with `testing.drop_templates`, the test session does), else empty and
    migrated by the service as it starts."""
    p = Platform()
    # Consumer groups of its own: nothing else on the cluster (say, processes a crashed test
    # left behind) shares this platform's partitions.
    groups = f"e2e-{uuid.uuid4().hex[:8]}-"
    await start_groups_at_the_end(endpoints.kafka_bootstrap, groups)
    ports = {name: free_port() for name in SERVICES}
    privacy_url = f"http://127.0.0.1:{ports['privacy']}"
    async with AsyncExitStack() as stack:
        for name in SERVICES:
            db = await stack.enter_async_context(
                migrated_database(endpoints.admin_database_url, name)
                if migrated
                else fresh_database(endpoints.admin_database_url)
            )
            prefix = name.upper()
            env = dict(os.environ)
            env.update(
                {
                    f"{prefix}_DATABASE_URL": db,
                    f"{prefix}_KAFKA_BOOTSTRAP_SERVERS": endpoints.kafka_bootstrap,
                    f"{prefix}_HTTP_PORT": str(ports[name]),
                    "CAREERSTREAM_PRIVACY_URL": privacy_url,
                    "PRIVACY_EXPORT_URLS": ",".join(
                        f"{s}=http://127.0.0.1:{port}"
                        for s, port in ports.items()
                        if s != "privacy"
                    ),
                    "CAREERSTREAM_LOG_LEVEL": "WARNING",
                    "CAREERSTREAM_CONSUMER_GROUP_PREFIX": groups,
                    # The simulator runs the company on business time (servicekit.clock).
                    "CAREERSTREAM_TEST_CLOCK": "1",
                    **(extra_env or {}),
                }
            )
            main_args: tuple[str, ...] = ("--api-only",) if name in split else ()
            p.services[name] = Service(
                name, int(env[f"{prefix}_HTTP_PORT"]), env, logs / f"{name}.log", args=main_args
            )
            more: list[tuple[str, ...]] = [("--consumers-only",)] if name in split else []
            more += [()] * ((replicas or {}).get(name, 1) - 1)
            for i, args in enumerate(more, start=2):
                port = free_port()
                p.extra[f"{name}#{i}"] = Service(
                    name,
                    port,
                    {**env, f"{prefix}_HTTP_PORT": str(port)},
                    logs / f"{name}-{i}.log",
                    args=args,
                )
        try:
            for svc in p.services.values():
                svc.start()
                p.clients[svc.name] = await stack.enter_async_context(
                    httpx.AsyncClient(base_url=svc.url, timeout=30)
                )
            for svc in p.extra.values():
                svc.start()
            for name in p.services:
                await p.ready(name)
            for key, svc in p.extra.items():
                await _ready_url(svc, key)
            yield p
        finally:
            everyone = [*p.services.values(), *p.extra.values()]
            for svc in everyone:  # all told at once, then each waited for
                svc.tell()
            for svc in everyone:
                svc.stop(signalled=True)


async def _ready_url(svc: Service, key: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=svc.url, timeout=5) as c:
        while time.monotonic() < deadline:
            assert svc.process is not None
            if svc.process.poll() is not None:
                raise AssertionError(
                    f"{key} exited during start-up:\n{svc.log.read_text()[-3000:]}"
                )
            try:
                if (await c.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise AssertionError(f"{key} not ready in {timeout}s")


async def eventually(check: Callable[[], Awaitable[T | None]], what: str, timeout: float = 60) -> T:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await check()
        except (httpx.TransportError, AssertionError, KeyError, IndexError) as exc:
            last = exc
        if last and not isinstance(last, BaseException):
            return last  # type: ignore[no-any-return]
        await asyncio.sleep(0.3)
    raise AssertionError(f"{what}: not within {timeout}s (last: {last!r})")
