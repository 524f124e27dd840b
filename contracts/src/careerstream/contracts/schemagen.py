"""Generate the JSON Schema of every event type into `contracts/schemas/`.

    uv run python -m careerstream.contracts.schemagen          # write (refuses breaking changes)
    uv run python -m careerstream.contracts.schemagen --check  # exit 1 when stale or breaking

Each file describes the whole event as it appears on Kafka: the CloudEvents
envelope with `type` fixed and `data` the payload's schema. A change that is
not backward compatible with the committed schema is refused: publish a new
`.v2` type beside the old one instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from careerstream.contracts.base import EventPayload
from careerstream.contracts.compat import breaking_changes
from careerstream.contracts.envelope import CONTENT_TYPE, Envelope, dataschema_uri
from careerstream.contracts.registry import EVENT_TYPES

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "schemas"


def event_schema(model: type[EventPayload]) -> dict[str, Any]:
    envelope = Envelope.model_json_schema()
    data = model.model_json_schema(ref_template="#/$defs/{model}")
    defs = data.pop("$defs", {})
    props = dict(envelope["properties"])
    props["type"] = {**props["type"], "const": model.event_type}
    props["dataschema"] = {**props["dataschema"], "const": dataschema_uri(model.event_type)}
    props["data"] = {**data, "description": props["data"].get("description", "")}
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": dataschema_uri(model.event_type),
        "title": model.event_type,
        "description": (model.__doc__ or "").strip()
        + f"\n\nTopic: {model.topic}. Kafka message key: <tenantid>:<{model.aggregate_field}>. "
        f"Content type: {CONTENT_TYPE} (structured mode).",
        "type": "object",
        "properties": props,
        "required": sorted(set(envelope.get("required", [])) | {"data", "dataschema"}),
        "x-topic": model.topic,
        "x-aggregate-field": model.aggregate_field,
    }
    if defs:
        schema["$defs"] = defs
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="do not write; fail when stale")
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR)
    args = parser.parse_args(argv)
    problems: list[str] = []
    stale: list[str] = []
    for event_type, model in sorted(EVENT_TYPES.items()):
        path = args.dir / f"{event_type}.json"
        new = event_schema(model)
        if path.exists():
            old = json.loads(path.read_text())
            problems += [f"{event_type}: {p}" for p in breaking_changes(old, new)]
            if path.read_text() != render(new):
                stale.append(event_type)
        else:
            stale.append(event_type)
    known = {f"{t}.json" for t in EVENT_TYPES}
    orphans = sorted(p.name for p in args.dir.glob("*.json") if p.name not in known)
    problems += [
        f"{o}: committed schema has no model any more (an event type was removed)" for o in orphans
    ]
    if problems:
        print(
            "breaking changes against the committed schemas:",
            *problems,
            sep="\n  ",
            file=sys.stderr,
        )
        print("A breaking change needs a new .v2 event type and topic beside v1.", file=sys.stderr)
        return 1
    if args.check:
        if stale:
            print("stale schemas (run `make schemas`):", *stale, sep="\n  ", file=sys.stderr)
            return 1
        return 0
    args.dir.mkdir(parents=True, exist_ok=True)
    for event_type in stale:
        (args.dir / f"{event_type}.json").write_text(render(event_schema(EVENT_TYPES[event_type])))
    print(f"{len(stale)} schema(s) written, {len(EVENT_TYPES) - len(stale)} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
