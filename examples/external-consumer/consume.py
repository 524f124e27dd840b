"""A consumer of careerstream events that uses no careerstream code.

Only a Kafka client (aiokafka) and the published JSON Schemas (contracts/schemas/):

    pip install aiokafka jsonschema
    python consume.py --bootstrap localhost:19092 --schemas ../../contracts/schemas \
        --topic careerstream.mobility.opportunity.v1 --group my-data-platform

Prints each event it validates; skips event types it has no schema for (a newer
producer), and reports, without stopping, any event that fails its schema.

Personal fields travel sealed (see docs/privacy.md). With `--privacy-url` and a
key-reader token (`--privacy-token`, minted by the platform's operators) it opens
them with the person's data key (`pip install cryptography` too); a key that is gone
means the person was erased, and the field reads as erased:

    python consume.py ... --privacy-url http://privacy:8000 --privacy-token "$TOKEN"
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import urllib.request
from pathlib import Path
from typing import Any

import jsonschema
from aiokafka import AIOKafkaConsumer


def load_schemas(folder: Path) -> dict[str, Any]:
    return {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}


def fetch_keys(url: str, token: str, kids: list[str]) -> dict[str, bytes | None]:
    """Data keys by kid from the privacy service; None for a key that is gone (erased)."""
    request = urllib.request.Request(
        url.rstrip("/") + "/v1/privacy/keys/fetch",
        data=json.dumps({"kids": kids}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        answer = json.loads(resp.read())
    keys: dict[str, bytes | None] = {k["kid"]: base64.b64decode(k["key"]) for k in answer["keys"]}
    keys.update({kid: None for kid in answer["gone"]})
    return keys


def open_personal(event: dict[str, Any], key: bytes | None) -> list[str]:
    """Open the sealed personal fields of `event` (in place); one line per field."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    lines = []
    data = event["data"]
    for pointer, blob in data.pop("sealed", {}).items():
        if key is None:
            lines.append(f"erased {pointer}")
            continue
        raw = base64.b64decode(blob)
        aad = f"{event['id']}|{pointer}".encode()  # the event id and the field: nowhere else
        value = json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], aad))
        node = data
        *path, last = pointer.lstrip("/").split("/")
        for part in path:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value
        lines.append(f"personal {pointer}={json.dumps(value)}")
    return lines


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
                    kid = event.get("kid")
                    if kid and args.privacy_url:
                        keys = await asyncio.to_thread(
                            fetch_keys, args.privacy_url, args.privacy_token, [kid]
                        )
                        for line in open_personal(event, keys.get(kid)):
                            print(f"  {line}", flush=True)
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
    parser.add_argument(
        "--privacy-url", default="", help="open sealed personal fields with its keys"
    )
    parser.add_argument("--privacy-token", default="", help="a key-reader token for one tenant")
    asyncio.run(consume(parser.parse_args()))


if __name__ == "__main__":
    main()
