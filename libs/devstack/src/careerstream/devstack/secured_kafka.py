"""A Kafka broker that authenticates (SASL SCRAM-SHA-512) and authorises (ACLs), as Strimzi runs one.

The local stack's broker is plaintext and lets everyone do everything. This one, for the
tests that prove a service runs with exactly the access its chart grants: clients must log
in, and a user may do only what an ACL allows. `admin` is a super user; other users are
created when the storage is formatted (SCRAM credentials live in the cluster metadata).

    with SecuredKafka(cfg, tmp_path, users={"careerstream-frameworks": "secret"}) as kafka:
        kafka.grant("careerstream-frameworks", resource="topic", names=[...], operations=[...])
        ... clients with kafka.client_options(user, password) ...
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from careerstream.devstack.config import StackConfig
from careerstream.devstack.kafka import _java_cmd, ensure_jars, new_cluster_id, wait_ready
from careerstream.devstack.ports import free_port
from careerstream.devstack.procs import StackError, spawn, stop_pid, tail

ADMIN = "admin"
MECHANISM = "SCRAM-SHA-512"


class Grant(NamedTuple):
    """`user` may do `operations` on the literal `resource`s (topic, group) `names`."""

    user: str
    resource: str
    names: tuple[str, ...]
    operations: tuple[str, ...]


class SecuredKafka:
    def __init__(self, cfg: StackConfig, home: Path, users: Mapping[str, str]) -> None:
        self.cfg = cfg
        self.home = home
        self.admin_password = "admin-secret"
        self.users = dict(users)
        self.port = free_port()
        self.controller_port = free_port()
        self.bootstrap = f"{cfg.host}:{self.port}"
        self._pid = home / "kafka.pid"
        self.log = home / "kafka.log"

    def _properties(self) -> str:
        h = self.cfg.host
        jaas = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN}" password="{self.admin_password}";'
        )
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{h}:{self.controller_port}",
            "listeners": f"SASL_PLAINTEXT://{h}:{self.port},CONTROLLER://{h}:{self.controller_port}",
            "advertised.listeners": f"SASL_PLAINTEXT://{h}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "SASL_PLAINTEXT",
            "listener.security.protocol.map": "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
            "sasl.enabled.mechanisms": MECHANISM,
            "sasl.mechanism.inter.broker.protocol": MECHANISM,
            "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": jaas,
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            # The controller listener is loopback plaintext: its peer (this same node) is ANONYMOUS.
            "super.users": f"User:{ADMIN};User:ANONYMOUS",
            "allow.everyone.if.no.acl.found": "false",
            "log.dirs": str(self.home / "data"),
            "num.partitions": "3",
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "3",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
        }
        return "".join(f"{k}={v}\n" for k, v in props.items())

    def _run_tool(self, main: str, *args: str) -> str:
        proc = subprocess.run(
            _java_cmd(self.cfg, main, *args), capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            raise StackError(f"{main} {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc.stdout

    def __enter__(self) -> SecuredKafka:
        ensure_jars(self.cfg)
        self.home.mkdir(parents=True, exist_ok=True)
        props = self.home / "server.properties"
        props.write_text(self._properties())
        scram = [
            f"--add-scram={MECHANISM}=[name={name},password={password}]"
            for name, password in {ADMIN: self.admin_password, **self.users}.items()
        ]
        self._run_tool(
            "kafka.tools.StorageTool",
            "format",
            f"--cluster-id={new_cluster_id()}",
            "-c",
            str(props),
            *scram,
        )
        (self.home / "admin.properties").write_text(
            "security.protocol=SASL_PLAINTEXT\n"
            f"sasl.mechanism={MECHANISM}\n"
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN}" password="{self.admin_password}";\n'
        )
        spawn(
            "secured-kafka",
            _java_cmd(self.cfg, "kafka.Kafka", str(props)),
            pid_file=self._pid,
            log_file=self.log,
        )
        try:
            asyncio.run(self._wait_ready())
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        stop_pid(self._pid, timeout=30.0)

    def client_options(self, user: str, password: str) -> dict[str, Any]:
        """aiokafka keyword arguments for `user`."""
        return {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": MECHANISM,
            "sasl_plain_username": user,
            "sasl_plain_password": password,
        }

    def admin_options(self) -> dict[str, Any]:
        return self.client_options(ADMIN, self.admin_password)

    def env(self, user: str) -> dict[str, str]:
        """The service environment that logs in as `user` (servicekit.kafka_security)."""
        return {
            "CAREERSTREAM_KAFKA_SASL_MECHANISM": MECHANISM,
            "CAREERSTREAM_KAFKA_SASL_USERNAME": user,
            "CAREERSTREAM_KAFKA_SASL_PASSWORD": self.users[user],
        }

    def grant(
        self, user: str, *, resource: str, names: Iterable[str], operations: Iterable[str]
    ) -> None:
        """Allow `user` `operations` on the literal `resource`s (topic, group) `names`."""
        self.grant_all([Grant(user, resource, tuple(names), tuple(operations))])

    def grant_all(self, grants: Iterable[Grant]) -> None:
        """Every grant, a few at a time: each is a JVM of AclCommand, mostly start-up."""
        with ThreadPoolExecutor(max_workers=4) as pool:
            for done in [pool.submit(self._grant, g) for g in grants]:
                done.result()

    def _grant(self, grant: Grant) -> None:
        user, resource, names, operations = grant
        if not names:
            return
        flag = {"topic": "--topic", "group": "--group"}[resource]
        self._run_tool(
            "org.apache.kafka.tools.AclCommand",
            f"--bootstrap-server={self.bootstrap}",
            f"--command-config={self.home / 'admin.properties'}",
            "--add",
            f"--allow-principal=User:{user}",
            *(f"--operation={op}" for op in operations),
            *(f"{flag}={name}" for name in names),
        )

    async def _wait_ready(self, timeout: float = 90.0) -> None:
        try:
            await wait_ready(
                self.bootstrap,
                timeout=timeout,
                pid_file=self._pid,
                client_options=self.admin_options(),
            )
        except StackError as exc:
            raise StackError(f"{exc}; last lines of {self.log}:\n{tail(self.log)}") from exc
