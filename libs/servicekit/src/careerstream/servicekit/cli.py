"""The command line of every service: `python -m careerstream.<service> [serve|migrate|asyncapi]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable

import uvicorn

from careerstream.servicekit.migrations import upgrade_to_head
from careerstream.servicekit.service import ServiceRuntime, create_app
from careerstream.servicekit.telemetry import setup_logging


def run(build: Callable[[], ServiceRuntime], argv: list[str] | None = None) -> int:
    """A service's command line: serve, migrate or print its AsyncAPI document."""
    parser = argparse.ArgumentParser(description="Run a careerstream service.")
    parser.add_argument(
        "command", nargs="?", default="serve", choices=["serve", "migrate", "asyncapi"]
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--consumers-only",
        action="store_true",
        help="run the Kafka consumers and health endpoints, no business API",
    )
    group.add_argument(
        "--api-only", action="store_true", help="serve the HTTP API without consuming from Kafka"
    )
    args = parser.parse_args(argv)
    rt = build()
    if args.command == "migrate":
        asyncio.run(upgrade_to_head(rt.migrations, rt.settings.database_url, rt.settings.db_schema))
        print(f"{rt.settings.service_name}: database at head")
        return 0
    if args.command == "asyncapi":
        json.dump(rt.asyncapi(), sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
        return 0
    rt.run_consumers = not args.api_only
    rt.run_api = not args.consumers_only
    rt.freeze_at_start = True
    setup_logging(rt.settings.service_name)
    app = create_app(rt)
    uvicorn.run(
        app,
        host=rt.settings.http_host,
        port=rt.settings.http_port,
        log_config=None,
        timeout_graceful_shutdown=30,
    )
    return 0
