"""The whole local platform: Kafka, PostgreSQL, topics, databases and every service."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from careerstream.devstack import kafka
from careerstream.devstack.config import StackConfig
from careerstream.devstack.postgres import (
    LocalPostgres,
    ensure_service_database,
    service_database,
    service_password,
    service_role,
)
from careerstream.devstack.procs import (
    StackError,
    ensure_port_free,
    read_pid,
    spawn,
    stop_pid,
    tail,
)

#: Every service of the platform, in start order; each gets the next HTTP port.
SERVICES = (
    "frameworks",
    "assessments",
    "plans",
    "mobility",
    "metrics",
    "hris",
    "privacy",
    "notifications",
)


def installed_services() -> list[str]:
    return [s for s in SERVICES if importlib.util.find_spec(f"careerstream.{s}") is not None]


def platform_topics() -> list[str]:
    """Every topic of the contract and its dead-letter topic."""
    from careerstream.contracts.topics import ALL_TOPICS, dlq_topic

    return [t for topic in ALL_TOPICS for t in (topic, dlq_topic(topic))]


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap: str
    admin_database_url: str
    external_kafka: bool
    external_postgres: bool

    def service_database_url(self, service: str) -> str:
        """The service's own database as its own role (asyncpg URL, no driver suffix)."""
        base = self.admin_database_url.rsplit("/", 1)[0]
        scheme, rest = base.split("://", 1)
        hostpart = rest.rsplit("@", 1)[-1]
        return (
            f"{scheme}://{service_role(service)}:{service_password(service)}@{hostpart}/"
            f"{service_database(service)}"
        )


def start_infrastructure(cfg: StackConfig, *, durable: bool = True, log: bool = True) -> Endpoints:
    """Kafka and PostgreSQL, unless KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL name existing ones."""

    def say(msg: str) -> None:
        if log:
            print(msg, flush=True)

    ext_kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    ext_pg = os.environ.get("DATABASE_URL")
    started_kafka = False
    try:
        if ext_kafka:
            say(f"kafka        using existing broker at {ext_kafka}")
            asyncio.run(kafka.wait_ready(ext_kafka, timeout=30))
        else:
            t0 = time.monotonic()
            started_kafka = not kafka.is_running(cfg)
            kafka.start(cfg)
            say(
                f"kafka        {cfg.kafka_bootstrap}  (ready in {time.monotonic() - t0:.1f}s, "
                f"log {cfg.logs_dir / 'kafka.log'})"
            )
        if ext_pg:
            say("postgres     using existing server from DATABASE_URL")
        else:
            t0 = time.monotonic()
            pg = LocalPostgres(cfg, durable=durable)
            pg.start()
            say(
                f"postgres     {cfg.host}:{cfg.postgres_port}  ({pg.bins.source}, ready in "
                f"{time.monotonic() - t0:.1f}s, data {pg.data_dir})"
            )
    except BaseException:
        # All or nothing: a broker this call started does not outlive a failed start (the
        # next run would find its port taken).
        if started_kafka:
            kafka.stop(cfg)
        raise
    return Endpoints(
        kafka_bootstrap=ext_kafka or cfg.kafka_bootstrap,
        admin_database_url=(ext_pg or cfg.admin_database_url()).replace("+asyncpg", ""),
        external_kafka=bool(ext_kafka),
        external_postgres=bool(ext_pg),
    )


def service_port(cfg: StackConfig, service: str) -> int:
    return cfg.first_service_port + SERVICES.index(service)


def service_urls(cfg: StackConfig) -> dict[str, str]:
    """Each service's base URL on the local stack."""
    return {s: f"http://{cfg.host}:{service_port(cfg, s)}" for s in SERVICES}


def service_env(cfg: StackConfig, ep: Endpoints, service: str) -> dict[str, str]:
    prefix = service.upper()
    env = dict(os.environ)
    env.update(
        {
            f"{prefix}_DATABASE_URL": ep.service_database_url(service).replace(
                "postgresql://", "postgresql+asyncpg://", 1
            ),
            f"{prefix}_KAFKA_BOOTSTRAP_SERVERS": ep.kafka_bootstrap,
            f"{prefix}_HTTP_HOST": cfg.host,
            f"{prefix}_HTTP_PORT": str(service_port(cfg, service)),
            "CAREERSTREAM_PRIVACY_URL": f"http://{cfg.host}:{service_port(cfg, 'privacy')}",
            "PRIVACY_EXPORT_URLS": ",".join(
                f"{s}={url}" for s, url in service_urls(cfg).items() if s != "privacy"
            ),
            # The local stack is for development and demos: the simulated company runs on
            # business time, so its figures read in days and months (servicekit.clock).
            "CAREERSTREAM_TEST_CLOCK": "1",
        }
    )
    if service == "notifications":
        env.update(
            {
                "NOTIFICATIONS_SMTP_HOST": cfg.host,
                "NOTIFICATIONS_SMTP_PORT": str(cfg.smtp_port),
                "NOTIFICATIONS_CONSOLE_URL": f"http://{cfg.host}:{console_port(cfg)}",
                "NOTIFICATIONS_PUBLIC_URL": f"http://{cfg.host}:{service_port(cfg, service)}",
            }
        )
    return env


def start_mail_sink(cfg: StackConfig) -> Path:
    """The local SMTP server the notifications service sends to; its Maildir."""
    maildir = cfg.home / "mail"
    pid_file = cfg.run_dir / "mailsink.pid"
    if read_pid(pid_file) is None:
        ensure_port_free(cfg.host, cfg.smtp_port, "the mail sink", "CAREERSTREAM_SMTP_PORT")
        spawn(
            "mailsink",
            [
                sys.executable,
                "-m",
                "careerstream.devstack.mailsink",
                "--port",
                str(cfg.smtp_port),
                "--maildir",
                str(maildir),
            ],
            pid_file=pid_file,
            log_file=cfg.logs_dir / "mailsink.log",
            env=dict(os.environ),
        )
    return maildir


def _wait_http(url: str, pid_file: Path, log_file: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if read_pid(pid_file) is None:
            raise StackError(f"{url} : the process exited during start-up\n{tail(log_file)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = repr(exc)
        time.sleep(0.3)
    raise StackError(f"{url} not ready within {timeout:.0f}s ({last})\n{tail(log_file)}")


def up(cfg: StackConfig) -> None:
    t_all = time.monotonic()
    ep = start_infrastructure(cfg)
    created = asyncio.run(
        kafka.create_platform_topics(
            ep.kafka_bootstrap, platform_topics(), partitions=cfg.default_partitions
        )
    )
    print(f"topics       {len(platform_topics())} platform topics ({len(created)} created now)")
    services = installed_services()
    for svc in services:
        asyncio.run(ensure_service_database(ep.admin_database_url, svc))
    if "notifications" in services:
        maildir = start_mail_sink(cfg)
        print(
            f"mail sink    smtp://{cfg.host}:{cfg.smtp_port}  (read it: `uv run careerstream mail`; "
            f"Maildir {maildir})"
        )
    started: list[str] = []
    try:
        # Every service is spawned first, then waited for: they start side by side (a
        # service's start is mostly importing Python, so the cores share it).
        for svc in services:
            pid_file = cfg.run_dir / f"{svc}.pid"
            if read_pid(pid_file) is None:
                port = service_port(cfg, svc)
                ensure_port_free(
                    cfg.host, port, f"the {svc} service", "CAREERSTREAM_FIRST_SERVICE_PORT"
                )
                spawn(
                    svc,
                    [sys.executable, "-m", f"careerstream.{svc}"],
                    pid_file=pid_file,
                    log_file=cfg.logs_dir / f"{svc}.log",
                    env=service_env(cfg, ep, svc),
                )
                started.append(svc)
        for svc in services:
            log_file = cfg.logs_dir / f"{svc}.log"
            url = f"http://{cfg.host}:{service_port(cfg, svc)}"
            _wait_http(f"{url}/readyz", cfg.run_dir / f"{svc}.pid", log_file)
            print(f"{svc:<12} {url}  (OpenAPI {url}/docs, AsyncAPI {url}/asyncapi, log {log_file})")
    except BaseException:
        # All or nothing: a half-started platform would go on consuming and
        # publishing; stop what this run started (what was running stays).
        for svc in reversed(started):
            if stop_pid(cfg.run_dir / f"{svc}.pid"):
                print(f"{svc:<12} stopped (the platform did not come up)")
        raise
    console_url = start_console(cfg)
    if os.environ.get("CAREERSTREAM_SIMULATE", "1") != "0":
        load_simulated_company(
            cfg,
            ep.kafka_bootstrap,
            tenant=os.environ.get("CAREERSTREAM_SIMULATE_TENANT", "acme"),
            employees=int(os.environ.get("CAREERSTREAM_SIMULATE_EMPLOYEES", "200")),
            months=int(os.environ.get("CAREERSTREAM_SIMULATE_MONTHS", "3")),
        )
    if console_url:
        print(
            f"{'console':<12} {console_url}  (open it in a browser; development sign-in: "
            "pick anyone of tenant acme and a role)"
        )
    print(f"up in {time.monotonic() - t_all:.1f}s; stop everything with `make down`")


def console_port(cfg: StackConfig) -> int:
    """The console listens on the port after the services'."""
    return cfg.first_service_port + len(SERVICES)


def start_console(cfg: StackConfig) -> str | None:
    """Start the web console (when installed) against the local services; its URL."""
    import importlib.util

    if importlib.util.find_spec("careerstream.console") is None:
        return None
    pid_file = cfg.run_dir / "console.pid"
    log_file = cfg.logs_dir / "console.log"
    port = console_port(cfg)
    url = f"http://{cfg.host}:{port}"
    if read_pid(pid_file) is None:
        ensure_port_free(cfg.host, port, "the console", "CAREERSTREAM_FIRST_SERVICE_PORT")
        env = dict(os.environ)
        env.update({f"CONSOLE_{s.upper()}_URL": u for s, u in service_urls(cfg).items()})
        env.update({"CONSOLE_HTTP_HOST": cfg.host, "CONSOLE_HTTP_PORT": str(port)})
        spawn(
            "console",
            [sys.executable, "-m", "careerstream.console", "serve"],
            pid_file=pid_file,
            log_file=log_file,
            env=env,
        )
    _wait_http(f"{url}/readyz", pid_file, log_file)
    return url


def load_simulated_company(
    cfg: StackConfig,
    bootstrap: str,
    *,
    tenant: str = "acme",
    employees: int = 200,
    months: int = 3,
    seed: int = 7,
    force: bool = False,
) -> None:
    """Load the simulated company 'acme' once (CAREERSTREAM_SIMULATE=0 skips it), then print its metrics."""
    from careerstream.devstack.simulation import Simulation, Urls, metrics_summary

    urls = Urls(**service_urls(cfg))
    done_marker = cfg.home / f"simulated-{tenant}"
    if force or not done_marker.exists():
        print(
            f"simulate     a company of {employees} over {months} months (tenant {tenant}, seed {seed}); skip with CAREERSTREAM_SIMULATE=0"
        )
        sim = Simulation(
            urls,
            bootstrap,
            tenant=tenant,
            employees=employees,
            months=months,
            seed=seed,
            out=lambda s: print(f"             {s}"),
        )
        asyncio.run(sim.run())
        done_marker.write_text(datetime.now(UTC).isoformat())
    print(asyncio.run(metrics_summary(urls, tenant)))


def down(cfg: StackConfig) -> None:
    for svc in ("console", *reversed(SERVICES), "mailsink"):
        if stop_pid(cfg.run_dir / f"{svc}.pid"):
            print(f"{svc:<12} stopped")
    try:
        pg = LocalPostgres(cfg)
        if pg.stop():
            print("postgres     stopped")
    except StackError as exc:
        print(f"postgres     {exc}")
    if kafka.stop(cfg):
        print("kafka        stopped")
    print("down")


def _probe(url: str) -> tuple[str, str]:
    """(health, consumer lag) of a running service, from /readyz and /metrics."""
    import json
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=3) as resp:
            health = "ready" if resp.status == 200 else f"not ready ({resp.status})"
    except urllib.error.HTTPError as exc:
        try:
            checks = json.loads(exc.read()).get("checks", {})
            failing = ", ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok")
        except ValueError:
            failing = str(exc.code)
        health = f"not ready ({failing})"
    except OSError as exc:
        return f"not answering ({exc})", "-"
    lag = 0.0
    try:
        with urllib.request.urlopen(f"{url}/metrics", timeout=5) as resp:
            for line in resp.read().decode().splitlines():
                if line.startswith("careerstream_consumer_lag{"):
                    lag += float(line.rsplit(" ", 1)[1])
    except (OSError, ValueError):
        return health, "unknown"
    return health, f"{lag:.0f} message(s)"


def status(cfg: StackConfig) -> int:
    """What runs: each process, each service's address, health and consumer lag."""
    running = 0
    kafka_pid = read_pid(cfg.run_dir / "kafka.pid")
    print(
        f"{'kafka':<12} {f'running (pid {kafka_pid})' if kafka_pid else 'stopped'}"
        + (f"  {cfg.kafka_bootstrap}" if kafka_pid else "")
    )
    running += kafka_pid is not None
    pg = LocalPostgres(cfg)
    pg_up = pg.is_running()
    print(
        f"{'postgres':<12} {'running' if pg_up else 'stopped'}"
        + (f"  {cfg.host}:{cfg.postgres_port}" if pg_up else "")
    )
    for svc in SERVICES:
        pid = read_pid(cfg.run_dir / f"{svc}.pid")
        if pid is None:
            print(f"{svc:<12} stopped")
            continue
        running += 1
        url = f"http://{cfg.host}:{service_port(cfg, svc)}"
        health, lag = _probe(url)
        print(f"{svc:<12} running (pid {pid})  {url}  {health}  consumer lag {lag}")
    return running + pg_up
