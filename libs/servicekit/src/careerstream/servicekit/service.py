"""Composing a service: one process serves the HTTP API and the Kafka consumers.

`ServiceRuntime` is what a service's `bootstrap.py` builds; `create_app` turns it
into a FastAPI app whose lifespan migrates the database, then starts the broker.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, Response
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from careerstream.servicekit import clock
from careerstream.servicekit.audit import AuditMiddleware, AuditTrail
from careerstream.servicekit.auth import AuthSettings, TokenVerifier
from careerstream.servicekit.edge import EdgeMiddleware
from careerstream.servicekit.health import Check, database_check, health_router
from careerstream.servicekit.idempotency import IdempotencyMiddleware
from careerstream.servicekit.keys import configure_keys
from careerstream.servicekit.lag import LagMonitor
from careerstream.servicekit.migrations import upgrade_to_head
from careerstream.servicekit.openapi import document_problems
from careerstream.servicekit.problems import install_problem_handlers
from careerstream.servicekit.relay import OutboxRelay
from careerstream.servicekit.settings import ServiceSettings
from careerstream.servicekit.subscriptions import consumer_groups, start_consuming
from careerstream.servicekit.telemetry import flush_tracing, setup_tracing, trace_engine
from careerstream.servicekit.uow import UowFactory

AUDIT_FLUSH_SECONDS = float(os.environ.get("CAREERSTREAM_AUDIT_FLUSH_SECONDS", "1.0"))
"""How often each process writes its buffered access records through the outbox."""


@dataclass
class ServiceRuntime:
    """Everything one service process is made of; built once, in bootstrap.py."""

    settings: ServiceSettings
    engine: AsyncEngine
    broker: KafkaBroker
    metadata: MetaData
    migrations: str
    uow: UowFactory
    relay: OutboxRelay
    routers: Sequence[APIRouter] = ()
    version: str = "0.1.0"
    description: str = ""
    run_consumers: bool = True
    run_api: bool = True
    freeze_at_start: bool = False
    """Move what start-up built out of the collector's sight (`gc.freeze`): the process's own
    `serve`, not an app a test process starts and stops among others."""
    extra_checks: dict[str, Check] = field(default_factory=dict)
    lag: LagMonitor | None = None
    verifier: TokenVerifier | None = None
    """Verifies bearer tokens; from `CAREERSTREAM_AUTH_*` when not given."""
    background: list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = field(
        default_factory=list
    )
    """Long-running jobs (e.g. a daily snapshot): run with the consumers, told to stop at shutdown."""
    state: dict[str, Any] = field(default_factory=dict)
    """Set on the app's `state` (what a service's routes need beside the unit of work)."""

    def asyncapi(self, *, host: str = "kafka:9092") -> dict[str, Any]:
        """The AsyncAPI 3 document of this service's FastStream app.

        The committed document names the broker `kafka:9092` (it must not differ per
        deployment); the running service serves the address it really uses.
        """
        spec = AsyncAPI(
            self.broker,
            title=f"careerstream {self.settings.service_name}",
            version=self.version,
            description=self.description,
            schema_version="3.0.0",
        )
        doc: dict[str, Any] = json.loads(spec.to_specification().to_json())
        for server in doc.get("servers", {}).values():
            server["host"] = host
        return doc


def _broker_check(broker: KafkaBroker) -> Check:
    async def check() -> None:
        if not await broker.ping(timeout=2.0):
            raise ConnectionError("Kafka did not answer")

    return check


def create_app(rt: ServiceRuntime) -> FastAPI:
    """The service's FastAPI app: edge, idempotency, routes, health, and its background work in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if os.environ.get("CAREERSTREAM_MIGRATE_ON_START", "true").lower() not in ("0", "false"):
            # Off where a deployment migrates once before the serving pods start (the Helm
            # chart's pre-upgrade Job: `python -m careerstream.<service> migrate`).
            await upgrade_to_head(rt.migrations, rt.settings.database_url, rt.settings.db_schema)
        # Every process that writes runs a relay; leases keep replicas from stepping on each other.
        await rt.relay.start()
        stopping = asyncio.Event()
        relay_task = asyncio.create_task(rt.relay.run(stopping), name="outbox-relay")
        audit_task = asyncio.create_task(
            trail.run(rt.uow, stopping, AUDIT_FLUSH_SECONDS), name="audit-flush"
        )
        await rt.broker.connect()
        jobs: list[asyncio.Task[None]] = []
        if rt.run_consumers:
            await start_consuming(rt.broker)
            rt.lag = LagMonitor(rt.settings.kafka_bootstrap_servers, consumer_groups(rt.broker))
            jobs = [
                asyncio.create_task(job(stopping), name=f"job-{i}")
                for i, job in enumerate(rt.background)
            ]
        if rt.freeze_at_start:
            # Everything built at start (modules, models, the routes, pools) lives as long as
            # the process: a full collection then skips it. It was 176,000 objects that each
            # full collection walked, 120 ms every few seconds on a busy consumer.
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            # Stop taking messages, let in-flight handlers finish (their offsets commit after
            # their transactions), then drain the outbox and stop.
            await rt.broker.stop()
            stopping.set()
            for job in jobs:
                await job
            await audit_task  # its last flush goes out with the relay's drain
            await relay_task
            await rt.relay.stop()
            if rt.relay.keys is not None:
                await rt.relay.keys.close()
            if rt.lag is not None:
                await rt.lag.close()
            await rt.engine.dispose()
            flush_tracing()

    app = FastAPI(
        title=f"careerstream {rt.settings.service_name}",
        version=rt.version,
        description=rt.description,
        lifespan=lifespan,
    )
    app.state.uow = rt.uow
    app.state.verifier = rt.verifier or TokenVerifier(AuthSettings())
    app.state.runtime = rt
    for name, value in rt.state.items():
        setattr(app.state, name, value)
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=setup_tracing(rt.settings.service_name),
        excluded_urls="healthz,readyz,metrics",
    )
    checks: dict[str, Check] = {
        "database": database_check(rt.engine),
        "kafka": _broker_check(rt.broker),
        **rt.extra_checks,
    }
    install_problem_handlers(app)
    trail = AuditTrail(rt.settings.service_name)
    app.state.audit = trail
    app.add_middleware(AuditMiddleware, trail=trail)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(EdgeMiddleware)  # outermost: hostile input never reaches the rest
    app.include_router(health_router(checks, service=rt.settings.service_name))

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}}},
    )
    async def metrics() -> Response:
        await rt.relay.backlog()
        if rt.lag is not None:
            await rt.lag.measure()
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", tags=["operations"], summary="This service's AsyncAPI 3 document")
    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(rt.asyncapi(host=rt.settings.kafka_bootstrap_servers))

    @app.get("/asyncapi", tags=["operations"], include_in_schema=False)
    async def asyncapi_page() -> HTMLResponse:
        doc = json.dumps(rt.asyncapi(host=rt.settings.kafka_bootstrap_servers), indent=2)
        return HTMLResponse(
            f"<html><head><title>{app.title} AsyncAPI</title></head><body>"
            f"<h1>{app.title} — AsyncAPI 3</h1><p><a href='/asyncapi.json'>raw JSON</a></p>"
            f"<pre>{doc.replace('<', '&lt;')}</pre></body></html>"
        )

    if rt.run_api:
        for router in rt.routers:
            app.include_router(router)
    document_problems(app)
    return app


def build_runtime(
    settings: ServiceSettings,
    *,
    metadata: MetaData,
    migrations: str,
    routers: Sequence[APIRouter],
    register_consumers: Callable[[KafkaBroker, UowFactory], None],
    description: str = "",
) -> ServiceRuntime:
    """The standard wiring of a service: engine, unit of work, broker, consumers, relay."""
    from careerstream.servicekit.broker import make_broker
    from careerstream.servicekit.db import make_engine, make_sessionmaker
    from careerstream.servicekit.wiring import uow_factory

    setup_tracing(settings.service_name)
    keys = configure_keys(settings.service_name, settings.environment)
    clock.configure(settings.environment)  # the test clock: never in production
    engine = make_engine(settings)
    trace_engine(engine)
    uow = uow_factory(make_sessionmaker(engine), metadata, settings.service_name)
    broker = make_broker(settings)
    register_consumers(broker, uow)
    # Every service publishes its audit trail of personal reads and writes (see audit.py).
    from careerstream.contracts.events.privacy import AccessRecorded
    from careerstream.servicekit.subscriptions import declare_publications

    declare_publications(broker, AccessRecorded)
    return ServiceRuntime(
        settings=settings,
        engine=engine,
        broker=broker,
        metadata=metadata,
        migrations=migrations,
        uow=uow,
        relay=OutboxRelay(
            settings.database_url,
            settings.db_schema,
            settings.kafka_bootstrap_servers,
            service=settings.service_name,
            keys=keys,
        ),
        routers=routers,
        description=description,
    )
