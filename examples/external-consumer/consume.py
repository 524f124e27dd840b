"""A consumer of careerstream events that uses no careerstream code.

Only a Kafka client (aiokafka) and the published JSON Schemas (contracts/schemas/):

    pip install aiokafka jsonschema
    python consume.py --bootstrap localhost:19092 --schemas ../../contracts/schemas \
        --topic careerstream.mobility.opportunity.v1 --group my-data-platform

Prints each event it validates; skips event types it has no schema for (a newer
producer), and reports, without stopping, any event that fails its schema.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

import jsonschema
from aiokafka import AIOKafkaConsumer


def load_schemas(folder: Path) -> dict[str, Any]:
    return {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}


async def consume(args: argparse.Namespace) -> None:
    schemas = load_schemas(Path(args.schemas))
    consumer = AIOKafkaConsumer(
        *args.topic,
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,  # commit only after the event is handled
    )
    await consumer.start()
    seen = 0
    try:
        async for msg in consumer:
            event = json.loads(msg.value)
            schema = schemas.get(event.get("type", ""))
            if schema is None:
                print(f"skip {event.get('type')}: no schema (newer producer?)", flush=True)
            else:
                try:
                    jsonschema.Draft202012Validator(schema).validate(event)
                except jsonschema.ValidationError as exc:
                    print(f"invalid {event['type']} {event.get('id')}: {exc.message}", flush=True)
                else:
                    # Deduplicate on event["id"] in your own store: delivery is at least once.
                    print(
                        f"ok {event['type']} tenant={event['tenantid']} subject={event['subject']} "
                        f"id={event['id']} key={msg.key.decode() if msg.key else None}",
                        flush=True,
                    )
            await consumer.commit()
            seen += 1
            if args.max_messages and seen >= args.max_messages:
                break
    finally:
        await consumer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bootstrap", default="localhost:19092")
    parser.add_argument(
        "--schemas", default=str(Path(__file__).parents[2] / "contracts" / "schemas")
    )
    parser.add_argument("--topic", action="append", required=True)
    parser.add_argument("--group", default="external-consumer-example")
    parser.add_argument("--max-messages", type=int, default=0, help="stop after N (0: run forever)")
    asyncio.run(consume(parser.parse_args()))


if __name__ == "__main__":
    main()
