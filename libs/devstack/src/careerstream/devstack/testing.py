"""Kafka and PostgreSQL for the test suite, and per-test isolation.

Where the infrastructure comes from, in order:

1. `KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL` when set (an existing stack);
2. testcontainers (`apache/kafka`, `postgres`) when a Docker engine answers;
3. otherwise the local stack of `deploy/local`, started once for the session
   on its own ports (and left running for the next session, so reruns are fast;
   `careerstream down --test-stack` stops it).

Every test gets its own database and its own topics, so tests see no one
else's data and may run in any order.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from careerstream.devstack import kafka
from careerstream.devstack.config import StackConfig
from careerstream.devstack.ports import free_port
from careerstream.devstack.stack import Endpoints, start_infrastructure

KAFKA_IMAGE = "apache/kafka:4.1.1"
POSTGRES_IMAGE = "postgres:17"


def _docker_answers() -> bool:
    if os.environ.get("CAREERSTREAM_NO_TESTCONTAINERS"):
        return False
    try:
        import docker

        client = docker.from_env(timeout=3)
        return bool(client.ping())
    except Exception:  # no engine, no socket, no permission: all mean "no Docker"
        return False


@contextlib.contextmanager
def _containers() -> Iterator[Endpoints]:
    from testcontainers.core.container import DockerContainer
    from testcontainers.postgres import PostgresContainer

    port = free_port()
    broker = (
        DockerContainer(KAFKA_IMAGE)
        .with_bind_ports(9092, port)
        .with_env("KAFKA_NODE_ID", "1")
        .with_env("KAFKA_PROCESS_ROLES", "broker,controller")
        .with_env("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093")
        .with_env("KAFKA_ADVERTISED_LISTENERS", f"PLAINTEXT://127.0.0.1:{port}")
        .with_env("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
        .with_env(
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
        )
        .with_env("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093")
        .with_env("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .with_env("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
        .with_env("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
    )
    pg = PostgresContainer(
        POSTGRES_IMAGE,
        username="careerstream",
        password="careerstream",
        dbname="postgres",
        driver=None,
    )
    with broker, pg:
        bootstrap = f"127.0.0.1:{port}"
        asyncio.run(kafka.wait_ready(bootstrap, timeout=120))
        yield Endpoints(
            bootstrap, pg.get_connection_url(), external_kafka=True, external_postgres=True
        )


@contextlib.contextmanager
def test_infrastructure() -> Iterator[Endpoints]:
    """The Kafka and PostgreSQL the test session uses (see the module doc)."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("DATABASE_URL"):
        yield start_infrastructure(StackConfig.for_tests(), log=False)
    elif _docker_answers():
        with _containers() as ep:
            yield ep
    else:
        yield start_infrastructure(StackConfig.for_tests(), durable=False, log=False)


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def with_database(url: str, database: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + database


@asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[str]:
    """A new, empty database for one test; dropped afterwards."""
    name = unique_name("t")
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    try:
        yield with_database(admin_url, name)
    finally:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await conn.close()


_templates: dict[str, str] = {}
_template_lock = asyncio.Lock()


async def _migrated_template(admin_url: str, name: str) -> str:
    """A database migrated to the service's head, made once per test session, used as a template."""
    async with _template_lock:
        if name not in _templates:
            config = importlib.import_module(f"careerstream.{name}.config")
            bootstrap = importlib.import_module(f"careerstream.{name}.bootstrap")
            from careerstream.servicekit.migrations import upgrade_to_head

            template = unique_name(f"tmpl_{name}")
            conn = await asyncpg.connect(admin_url)
            try:
                await conn.execute(f"CREATE DATABASE {template}")
            finally:
                await conn.close()
            settings = config.Settings(
                database_url=with_database(admin_url, template), environment="test"
            )
            await upgrade_to_head(bootstrap.MIGRATIONS, settings.database_url, settings.db_schema)
            _templates[name] = template
        return _templates[name]


async def drop_templates(admin_url: str) -> None:
    """Drop the migrated templates this session made."""
    conn = await asyncpg.connect(admin_url)
    try:
        for template in _templates.values():
            await conn.execute(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)")
    finally:
        await conn.close()
    _templates.clear()


@dataclass
class ServiceDatabase:
    """A service's own database, migrated, for service-layer tests: `uow` as the service builds it."""

    name: str
    url: str
    uow: Any
    """The service's unit-of-work factory: leave a unit without `commit` and nothing stays."""

    async def scalar(self, sql: str, *args: Any) -> Any:
        """One value from SQL run outside any unit of work."""
        conn = await asyncpg.connect(self.url)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()


@asynccontextmanager
async def migrated_database(admin_url: str, name: str) -> AsyncIterator[str]:
    """A fresh database at the service's head (libpq URL), dropped afterwards: a copy of a
    template migrated once per session (about 0.15 s here, where migrating takes 0.5-0.9 s)."""
    template = await _migrated_template(admin_url, name)
    database = unique_name("t")
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"CREATE DATABASE {database} TEMPLATE {template}")
    finally:
        await conn.close()
    try:
        yield with_database(admin_url, database)
    finally:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        finally:
            await conn.close()


@asynccontextmanager
async def service_database(admin_url: str, name: str) -> AsyncIterator[ServiceDatabase]:
    """A fresh copy of the service's migrated database (a template copy: no migration per test)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from careerstream.servicekit.db import make_sessionmaker
    from careerstream.servicekit.wiring import uow_factory

    async with migrated_database(admin_url, name) as url:
        orm = importlib.import_module(f"careerstream.{name}.adapters.orm")
        engine = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        try:
            yield ServiceDatabase(
                name, url, uow_factory(make_sessionmaker(engine), orm.metadata, name)
            )
        finally:
            await engine.dispose()


@dataclass
class RunningService:
    """A service app running in the test's event loop, with an HTTP client on it."""

    name: str
    app: Any
    runtime: Any
    client: httpx.AsyncClient
    database_url: str

    async def scalar(self, sql: str, *args: Any) -> Any:
        conn = await asyncpg.connect(self.database_url)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()


ServiceUnderTest = Callable[..., AbstractAsyncContextManager[RunningService]]


def service_factory(endpoints: Endpoints) -> ServiceUnderTest:
    """Start a service in-process on a fresh database at its head, lifespan and all (its
    start-up migration then finds nothing to do)."""

    @asynccontextmanager
    async def start(
        name: str, *, replay: bool = False, empty_database: bool = False, **overrides: Any
    ) -> AsyncIterator[RunningService]:
        """`replay`: its consumer groups read every topic from the beginning (a rebuild);
        `empty_database`: the service migrates a new, empty database itself as it starts."""
        config = importlib.import_module(f"careerstream.{name}.config")
        bootstrap = importlib.import_module(f"careerstream.{name}.bootstrap")
        from careerstream.servicekit.service import create_app

        database = (
            fresh_database(endpoints.admin_database_url)
            if empty_database
            else migrated_database(endpoints.admin_database_url, name)
        )
        async with database as db_url:
            settings = config.Settings(
                database_url=db_url,
                kafka_bootstrap_servers=endpoints.kafka_bootstrap,
                environment="test",
                **overrides,
            )
            # Consumer groups of its own, starting at the topics' end: the service reads what the
            # test produces, not the backlog of every earlier test.
            prefix = f"t{uuid.uuid4().hex[:8]}-"
            if not replay:
                await start_groups_at_the_end(endpoints.kafka_bootstrap, prefix, [name])
            previous = os.environ.get("CAREERSTREAM_CONSUMER_GROUP_PREFIX")
            os.environ["CAREERSTREAM_CONSUMER_GROUP_PREFIX"] = prefix
            try:
                runtime = bootstrap.build(settings)
            finally:
                if previous is None:
                    os.environ.pop("CAREERSTREAM_CONSUMER_GROUP_PREFIX", None)
                else:
                    os.environ["CAREERSTREAM_CONSUMER_GROUP_PREFIX"] = previous
            app = create_app(runtime)
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                    yield RunningService(name, app, runtime, client, db_url)

    return start


class EventTap:
    """Reads what is published to a topic from the moment it is entered.

    Tests share the contract's topics, so each reads only from the offsets at
    entry and filters by its own tenant.
    """

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self._consumer: Any = None

    async def __aenter__(self) -> EventTap:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False
        )
        await self._consumer.start()
        cluster = await self._consumer._client.fetch_all_metadata()
        tps = [
            TopicPartition(self.topic, p)
            for p in sorted(cluster.partitions_for_topic(self.topic) or ())
        ]
        if not tps:
            raise LookupError(f"topic {self.topic} does not exist")
        self._consumer.assign(tps)
        for tp, end in (await self._consumer.end_offsets(tps)).items():
            self._consumer.seek(tp, end)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def wait_for(
        self, count: int, *, tenant: str | None = None, timeout: float = 30.0
    ) -> list[Any]:
        """The raw records (value, key, headers) of `count` messages (of `tenant`), or fewer on timeout."""
        import json

        out: list[Any] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(out) < count and loop.time() < deadline:
            batches = await self._consumer.getmany(timeout_ms=300)
            for records in batches.values():
                for r in records:
                    if tenant is not None:
                        try:
                            if json.loads(r.value).get("tenantid") != tenant:
                                continue
                        except ValueError:
                            continue
                    out.append(r)
        return out

    async def expect(
        self, *wanted: dict[str, Any], tenant: str, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """The events matching each of `wanted`, in that order, waiting until all have come.

        Each of `wanted` is a subset of an event's JSON (`{"type": ..., "data": {...}}`):
        an event matches when every field given has that value (nested dicts compared the
        same way). Events of `tenant` that match nothing wanted — a late event of an earlier
        step, say — are ignored, so a test waits for what it asserts on, never for a count.
        Raises AssertionError, listing what came, if not all have come within `timeout`.
        """
        import json

        got: list[dict[str, Any] | None] = [None] * len(wanted)
        seen: list[dict[str, Any]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while None in got and loop.time() < deadline:
            batches = await self._consumer.getmany(timeout_ms=300)
            for records in batches.values():
                for r in records:
                    try:
                        event = json.loads(r.value)
                    except ValueError:
                        continue
                    if event.get("tenantid") != tenant:
                        continue
                    seen.append(event)
                    for i, want in enumerate(wanted):
                        if got[i] is None and _matches(event, want):
                            got[i] = event
                            break
        missing = [w for w, g in zip(wanted, got, strict=True) if g is None]
        assert not missing, (
            f"on {self.topic} within {timeout}s: missing {missing}; came: "
            + "; ".join(f"{e.get('type')} {e.get('data')}" for e in seen)[:3000]
        )
        return [g for g in got if g is not None]


def _matches(event: Any, want: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(event, dict) and all(
            k in event and _matches(event[k], v) for k, v in want.items()
        )
    return bool(event == want)


EventTapFactory = Callable[[str], EventTap]


async def start_groups_at_the_end(
    bootstrap: str, prefix: str, services: Iterable[str] | None = None
) -> None:
    """Commit, for every consumer group the services will use (`services`: these alone; all
    of them by default), the topics' current end offsets: the platform then reads what is
    produced from now on, and nothing of what came before. The groups are committed at
    once (one after another took 2 s for every service's groups)."""
    import importlib

    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.structs import OffsetAndMetadata
    from faststream.kafka import KafkaBroker

    from careerstream.devstack.stack import SERVICES
    from careerstream.servicekit.subscriptions import consumer_groups

    # Every group each service subscribes, as its own `register` declares them (on a broker
    # that never connects): a consumer added to a service is covered without a word here.
    wanted: dict[str, list[str]] = {}
    previous = os.environ.get("CAREERSTREAM_CONSUMER_GROUP_PREFIX")
    os.environ["CAREERSTREAM_CONSUMER_GROUP_PREFIX"] = prefix
    try:
        for name in SERVICES if services is None else services:
            module = importlib.import_module(f"careerstream.{name}.entrypoints.consumers")
            broker = KafkaBroker("127.0.0.1:1")
            module.register(broker, lambda: None)
            wanted.update(consumer_groups(broker))
    finally:
        if previous is None:
            os.environ.pop("CAREERSTREAM_CONSUMER_GROUP_PREFIX", None)
        else:
            os.environ["CAREERSTREAM_CONSUMER_GROUP_PREFIX"] = previous
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await probe.start()
    try:
        cluster = await probe._client.fetch_all_metadata()
        all_tps = {
            t: [TopicPartition(t, p) for p in sorted(cluster.partitions_for_topic(t) or ())]
            for topics in wanted.values()
            for t in topics
        }
        every = [tp for tps in all_tps.values() for tp in tps]
        # Assigned, so that the client's metadata holds their leaders: otherwise
        # `end_offsets` waits out metadata refreshes first (1.4 s for one service's topics).
        probe.assign(every)
        ends = await probe.end_offsets(every)
    finally:
        await probe.stop()

    async def commit(group: str, topics: list[str]) -> None:
        tps = [tp for t in topics for tp in all_tps[t]]
        committer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
        )
        await committer.start()
        try:
            committer.assign(tps)
            await committer.commit({tp: OffsetAndMetadata(ends[tp], "") for tp in tps})
        finally:
            await committer.stop()

    await asyncio.gather(*(commit(group, topics) for group, topics in wanted.items()))
