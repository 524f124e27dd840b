"""Apache Kafka 4 in KRaft mode from the Maven Central jars: resolve, format, start, stop.

One node is both broker and controller. Auto-creation of topics is off; the
platform's topics are created explicitly (see `create_topics`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from careerstream.devstack.config import StackConfig, repo_root
from careerstream.devstack.procs import (
    StackError,
    ensure_port_free,
    exclusive,
    read_pid,
    spawn,
    stop_pid,
    tail,
)

POM = repo_root() / "deploy" / "local" / "kafka" / "pom.xml"
LOG4J = repo_root() / "deploy" / "local" / "kafka" / "log4j2.properties"


def new_cluster_id() -> str:
    """A KRaft cluster id: a random UUID, base64url without padding (22 characters)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def ensure_jars(cfg: StackConfig) -> Path:
    """Resolve the broker jars with Maven once; later calls reuse them (one process resolves,
    any other asking at the same time waits for it)."""
    marker = cfg.jars_dir / ".complete"
    if marker.exists() and marker.read_text() == POM.read_text():
        return cfg.jars_dir
    with exclusive(cfg.jars_dir.with_name(cfg.jars_dir.name + ".lock")):
        return _resolve_jars(cfg, marker)


def _resolve_jars(cfg: StackConfig, marker: Path) -> Path:
    if marker.exists() and marker.read_text() == POM.read_text():
        return cfg.jars_dir  # resolved by the process that held the lock before
    if marker.exists() and marker.read_text() == POM.read_text():
        return cfg.jars_dir
    mvn = shutil.which("mvn")
    if mvn is None:
        raise StackError(
            "Maven (mvn) is not on PATH; it fetches the Kafka jars from Maven Central. "
            "Install Maven 3.8+ (e.g. `apt-get install maven`), or point KAFKA_BOOTSTRAP_SERVERS "
            "at an existing Kafka."
        )
    if shutil.which("java") is None:
        raise StackError("Java 17+ (java) is not on PATH; Kafka needs it to run.")
    tmp = cfg.jars_dir.with_name(cfg.jars_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"resolving Kafka jars from Maven Central into {cfg.jars_dir} ...", flush=True)
    proc = subprocess.run(
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={tmp}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise StackError(f"mvn could not resolve the Kafka jars:\n{proc.stdout}\n{proc.stderr}")
    shutil.rmtree(cfg.jars_dir, ignore_errors=True)
    tmp.rename(cfg.jars_dir)
    marker.write_text(POM.read_text())
    return cfg.jars_dir


def _properties(cfg: StackConfig, data_dir: Path) -> str:
    h = cfg.host
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{h}:{cfg.kafka_controller_port}",
        "listeners": f"PLAINTEXT://{h}:{cfg.kafka_port},CONTROLLER://{h}:{cfg.kafka_controller_port}",
        "advertised.listeners": f"PLAINTEXT://{h}:{cfg.kafka_port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": str(cfg.default_partitions),
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "12",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "4",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "delete.topic.enable": "true",
    }
    return "".join(f"{k}={v}\n" for k, v in props.items())


TOOL_JVM = ("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto")
"""A command-line tool's JVM (StorageTool, AclCommand): it lives a second or two, so it
starts light (no broker-sized heap, no optimising compiler)."""


def _java_cmd(cfg: StackConfig, main: str, *args: str) -> list[str]:
    jvm = (
        TOOL_JVM
        if main != "kafka.Kafka"
        else (f"-Xmx{cfg.kafka_heap}", f"-Xms{cfg.kafka_heap}", "-XX:+UseG1GC")
    )
    return [
        "java",
        *jvm,
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={LOG4J}",
        "-cp",
        str(cfg.jars_dir / "*"),
        main,
        *args,
    ]


def _paths(cfg: StackConfig) -> tuple[Path, Path, Path, Path]:
    base = cfg.home / "kafka"
    return (
        base / "data",
        base / "server.properties",
        cfg.run_dir / "kafka.pid",
        cfg.logs_dir / "kafka.log",
    )


def is_running(cfg: StackConfig) -> bool:
    return read_pid(_paths(cfg)[2]) is not None


def format_storage(cfg: StackConfig, props_file: Path, cluster_id: str) -> None:
    """Format the KRaft log directories of `props_file` for `cluster_id` (idempotent)."""
    fmt = subprocess.run(
        _java_cmd(
            cfg,
            "kafka.tools.StorageTool",
            "format",
            "--ignore-formatted",
            f"--cluster-id={cluster_id}",  # an id may start with '-': never a separate argument
            "-c",
            str(props_file),
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if fmt.returncode != 0:
        raise StackError(f"formatting Kafka storage failed:\n{fmt.stdout}\n{fmt.stderr}")


def start(cfg: StackConfig, *, timeout: float = 120.0) -> None:
    """Start the broker unless it already runs; return once it answers metadata requests."""
    data_dir, props_file, pid_file, log_file = _paths(cfg)
    if read_pid(pid_file) is not None:
        asyncio.run(wait_ready(cfg.kafka_bootstrap, timeout=timeout))
        return
    ensure_port_free(cfg.host, cfg.kafka_port, "Kafka", "CAREERSTREAM_KAFKA_PORT")
    ensure_port_free(
        cfg.host,
        cfg.kafka_controller_port,
        "the Kafka controller",
        "CAREERSTREAM_KAFKA_CONTROLLER_PORT",
    )
    ensure_jars(cfg)
    props_file.parent.mkdir(parents=True, exist_ok=True)
    props_file.write_text(_properties(cfg, data_dir))
    if not (data_dir / "meta.properties").exists():
        format_storage(cfg, props_file, new_cluster_id())
    spawn(
        "kafka",
        _java_cmd(cfg, "kafka.Kafka", str(props_file)),
        pid_file=pid_file,
        log_file=log_file,
        env=dict(os.environ),
    )
    try:
        asyncio.run(wait_ready(cfg.kafka_bootstrap, timeout=timeout, pid_file=pid_file))
    except StackError as exc:
        raise StackError(f"{exc}\nlast lines of {log_file}:\n{tail(log_file)}") from exc


def stop(cfg: StackConfig) -> bool:
    return stop_pid(_paths(cfg)[2], timeout=60.0)


async def wait_ready(
    bootstrap: str,
    *,
    timeout: float = 120.0,
    pid_file: Path | None = None,
    client_options: dict[str, Any] | None = None,
) -> None:
    """Poll until the broker answers a metadata request and has a controller."""
    # aiokafka logs every refused connection while the broker boots; that is expected here.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if pid_file is not None and read_pid(pid_file) is None:
            raise StackError("the Kafka process exited during start-up")
        # `client_options`: how to log in, for a broker that authenticates.
        options = {"bootstrap_servers": bootstrap, **(client_options or {})}
        admin = AIOKafkaAdminClient(request_timeout_ms=3000, **options)
        try:
            await admin.start()
            await admin.list_topics()
            return
        except (KafkaError, OSError) as exc:
            last = exc
        finally:
            await admin.close()
        await asyncio.sleep(0.5)
    raise StackError(f"Kafka at {bootstrap} did not answer within {timeout:.0f}s ({last!r})")


async def create_topics(
    bootstrap: str,
    names: Iterable[str],
    *,
    partitions: int = 12,
    configs: dict[str, str] | None = None,
) -> list[str]:
    """Create the topics that do not exist yet; return those created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [n for n in dict.fromkeys(names) if n not in existing]
        if not wanted:
            return []
        new = [NewTopic(n, partitions, 1, topic_configs=dict(configs or {})) for n in wanted]
        # Another process may have created one meanwhile; that is what we wanted anyway.
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics(new)
        return wanted
    finally:
        await admin.close()


RETENTION_KEYS = ("cleanup.policy", "retention.ms")


async def create_platform_topics(
    bootstrap: str, names: Iterable[str], *, partitions: int = 12
) -> list[str]:
    """Create the contract's topics (and dead-letter topics) that do not exist yet, each with
    its retention from the topic registry, and bring the existing ones to it (an upgrade
    that changes a topic's retention applies it). Returns those created."""
    from careerstream.contracts.topics import retention_of

    wanted = list(dict.fromkeys(names))
    created: list[str] = []
    groups: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for name in wanted:
        groups.setdefault(tuple(sorted(retention_of(name).configs().items())), []).append(name)
    for configs, group in groups.items():
        created += await create_topics(
            bootstrap, group, partitions=partitions, configs=dict(configs)
        )
    # A topic just created may not be known to the broker's metadata yet: wait until every
    # one is described with its partitions, so that nobody (a consumer group seeking to the
    # end, the configs read below) finds it missing.
    deadline = time.monotonic() + 60
    while True:
        known = await topic_configs(bootstrap, wanted)
        missing = [n for n in wanted if not known.get(n)]
        if not missing and await _all_have_partitions(bootstrap, wanted):
            break
        if time.monotonic() > deadline:
            raise StackError(f"topics not ready on the broker within 60 s: {missing[:5]}")
        await asyncio.sleep(0.2)
    await apply_retention(bootstrap, wanted)
    return created


async def _all_have_partitions(bootstrap: str, names: list[str]) -> bool:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        return all(cluster.partitions_for_topic(n) for n in names)
    finally:
        await consumer.stop()


async def topic_configs(bootstrap: str, names: Iterable[str]) -> dict[str, dict[str, str]]:
    """The retention configs (`cleanup.policy`, `retention.ms`) each topic has on the broker."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        resources = [
            ConfigResource(ConfigResourceType.TOPIC, n, configs=dict.fromkeys(RETENTION_KEYS))
            for n in names
        ]
        out: dict[str, dict[str, str]] = {}
        for response in await admin.describe_configs(resources):
            for _err, _msg, _type, name, entries in response.resources:
                out[name] = {e[0]: e[1] for e in entries if e[0] in RETENTION_KEYS}
        return out
    finally:
        await admin.close()


async def apply_retention(bootstrap: str, names: Iterable[str]) -> list[str]:
    """Set the registry's retention on the topics whose configs differ; returns those changed."""
    from careerstream.contracts.topics import retention_of

    wanted = list(names)
    current = await topic_configs(bootstrap, wanted)
    stale = [n for n in wanted if current.get(n) != retention_of(n).configs()]
    if not stale:
        return []
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        await admin.alter_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, n, configs=retention_of(n).configs())
                for n in stale
            ]
        )
    finally:
        await admin.close()
    return stale


async def delete_topics(bootstrap: str, names: Iterable[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [n for n in names if n in existing]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()
