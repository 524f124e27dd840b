"""Generate the JSON Schema of every event type into `contracts/schemas/`.

    uv run python -m careerstream.contracts.schemagen          # write and release
    uv run python -m careerstream.contracts.schemagen --check  # exit 1 when stale or breaking

Each file describes the whole event as it appears on Kafka: the CloudEvents
envelope with `type` fixed and `data` the payload's schema.

**Released schemas.** Like a schema registry, the gate compares a schema with what was
released, not with the file beside it (a change that edits the model and the committed
schema together would pass that): `contracts/released/<type>/<n>.json` holds every
revision of every event type ever committed, and `contracts/released/SHA256SUMS` their
hashes (`sha256sum -c SHA256SUMS` checks them). A change must be backward compatible with
*every* released revision; a released file never changes (the sums say so); writing the
schemas releases a new revision when one changed. A breaking change is a new `.v2` type
and topic beside v1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from careerstream.contracts.base import EventPayload
from careerstream.contracts.compat import breaking_changes
from careerstream.contracts.envelope import CONTENT_TYPE, Envelope, dataschema_uri
from careerstream.contracts.registry import EVENT_TYPES

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "schemas"
RELEASED_DIR = Path(__file__).resolve().parents[3] / "released"
SUMS = "SHA256SUMS"


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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def released(released_dir: Path) -> tuple[dict[str, list[Path]], list[str]]:
    """Every released revision of every type (oldest first), and what is wrong with the record."""
    problems: list[str] = []
    sums: dict[str, str] = {}
    sums_file = released_dir / SUMS
    if sums_file.exists():
        for line in sums_file.read_text().splitlines():
            if line.strip():
                digest, _, name = line.partition("  ")
                sums[name.strip()] = digest.strip()
    revisions: dict[str, list[Path]] = {}
    on_disk = sorted(released_dir.glob("*/*.json"))
    for path in on_disk:
        name = f"{path.parent.name}/{path.name}"
        if name not in sums:
            problems.append(f"{name}: released schema missing from {SUMS}")
        elif sums[name] != _sha256(path):
            problems.append(
                f"{name}: a released schema was edited; released schemas never change "
                "(restore it, and change the model compatibly or as a new .v2 type)"
            )
        revisions.setdefault(path.parent.name, []).append(path)
    listed = {f"{p.parent.name}/{p.name}" for p in on_disk}
    problems += [f"{n}: listed in {SUMS} but missing" for n in sorted(set(sums) - listed)]
    for paths in revisions.values():
        paths.sort(key=lambda p: int(p.stem))
    return revisions, problems


def release(event_type: str, schema: dict[str, Any], released_dir: Path) -> Path | None:
    """Record `schema` as the next revision of `event_type` unless it is the latest already."""
    revisions, _ = released(released_dir)
    known = revisions.get(event_type, [])
    text = render(schema)
    if known and known[-1].read_text() == text:
        return None
    path = released_dir / event_type / f"{len(known) + 1}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    with open(released_dir / SUMS, "a") as sums:
        sums.write(f"{_sha256(path)}  {event_type}/{path.name}\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="do not write; fail when stale")
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR)
    parser.add_argument("--released", type=Path, default=RELEASED_DIR)
    args = parser.parse_args(argv)
    history, problems = released(args.released)
    stale: list[str] = []
    unreleased: list[str] = []
    for event_type, model in sorted(EVENT_TYPES.items()):
        path = args.dir / f"{event_type}.json"
        new = event_schema(model)
        for old_path in history.get(event_type, []):
            old = json.loads(old_path.read_text())
            problems += [
                f"{event_type}: {p} (against released revision {old_path.stem})"
                for p in breaking_changes(old, new)
            ]
        if path.exists():
            old = json.loads(path.read_text())
            problems += [f"{event_type}: {p}" for p in breaking_changes(old, new)]
            if path.read_text() != render(new):
                stale.append(event_type)
        else:
            stale.append(event_type)
        latest = history.get(event_type, [])
        if not latest or latest[-1].read_text() != render(new):
            unreleased.append(event_type)
    gone = sorted(set(history) - set(EVENT_TYPES))
    problems += [
        f"{t}: was released and has no model any more (an event type was removed)" for t in gone
    ]
    known = {f"{t}.json" for t in EVENT_TYPES}
    orphans = sorted(p.name for p in args.dir.glob("*.json") if p.name not in known)
    problems += [
        f"{o}: committed schema has no model any more (an event type was removed)" for o in orphans
    ]
    if problems:
        print(
            "breaking changes against the released schemas:",
            *problems,
            sep="\n  ",
            file=sys.stderr,
        )
        print("A breaking change needs a new .v2 event type and topic beside v1.", file=sys.stderr)
        return 1
    if args.check:
        if stale or unreleased:
            print(
                "stale or unreleased schemas (run `make contracts`):",
                *sorted(set(stale) | set(unreleased)),
                sep="\n  ",
                file=sys.stderr,
            )
            return 1
        return 0
    args.dir.mkdir(parents=True, exist_ok=True)
    for event_type in stale:
        (args.dir / f"{event_type}.json").write_text(render(event_schema(EVENT_TYPES[event_type])))
    for event_type in unreleased:
        release(event_type, event_schema(EVENT_TYPES[event_type]), args.released)
    print(
        f"{len(stale)} schema(s) written, {len(EVENT_TYPES) - len(stale)} unchanged, "
        f"{len(unreleased)} released"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
