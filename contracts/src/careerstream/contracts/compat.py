"""Backward compatibility between two JSON Schemas of one event type.

A new schema is backward compatible with an old one when every event a
consumer written against the old schema could rely on is still what the new
producer writes. Breaking: a field removed, a type changed, a field newly
required (old producers' events no longer validate for new consumers), an
enum narrowed, a constant changed. Adding an optional field, widening an enum
or relaxing a requirement is fine.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def _resolve(node: Schema, root: Schema) -> Schema:
    seen = 0
    while "$ref" in node and seen < 32:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref are supported, got {ref}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        seen += 1
    return node


def _variants(node: Schema, root: Schema) -> list[Schema]:
    """The concrete alternatives of a node (anyOf/oneOf flattened, $ref resolved)."""
    node = _resolve(node, root)
    for key in ("anyOf", "oneOf"):
        if key in node:
            out: list[Schema] = []
            for sub in node[key]:
                out += _variants(sub, root)
            return out
    return [node]


def _kind(node: Schema) -> str:
    t = node.get("type")
    if isinstance(t, list):
        return "|".join(sorted(t))
    if t is not None:
        return str(t)
    if "properties" in node:
        return "object"
    if "const" in node:
        return type(node["const"]).__name__
    return "any"


def _compatible_kind(old: str, new: str) -> bool:
    return old == new or new == "any" or (old == "integer" and new == "number")


def breaking_changes(old_root: Schema, new_root: Schema) -> list[str]:
    problems: list[str] = []
    _compare(old_root, new_root, old_root, new_root, "$", problems)
    return problems


def _compare(
    old: Schema, new: Schema, old_root: Schema, new_root: Schema, path: str, problems: list[str]
) -> None:
    old_vs = _variants(old, old_root)
    new_vs = _variants(new, new_root)
    for ov in old_vs:
        kind = _kind(ov)
        match = next((nv for nv in new_vs if _compatible_kind(kind, _kind(nv))), None)
        if match is None:
            got = ", ".join(sorted({_kind(nv) for nv in new_vs}))
            problems.append(f"{path}: type changed from {kind} to {got}")
            continue
        _compare_variant(ov, match, old_root, new_root, path, problems)


def _compare_variant(
    old: Schema, new: Schema, old_root: Schema, new_root: Schema, path: str, problems: list[str]
) -> None:
    if "const" in old and "const" in new and old["const"] != new["const"]:
        problems.append(f"{path}: constant changed from {old['const']!r} to {new['const']!r}")
    if "enum" in old:
        if "enum" in new:
            lost = [v for v in old["enum"] if v not in new["enum"]]
            if lost:
                problems.append(f"{path}: enum narrowed, values removed: {lost}")
    elif "enum" in new and "const" not in old:
        problems.append(f"{path}: values restricted to an enum {new['enum']}")
    old_props: Schema = old.get("properties", {})
    new_props: Schema = new.get("properties", {})
    for name, sub in old_props.items():
        if name not in new_props:
            problems.append(f"{path}.{name}: field removed")
        else:
            _compare(sub, new_props[name], old_root, new_root, f"{path}.{name}", problems)
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(newly_required):
        problems.append(f"{path}.{name}: field newly required")
    if "items" in old and "items" in new:
        _compare(old["items"], new["items"], old_root, new_root, f"{path}[]", problems)
    if isinstance(old.get("additionalProperties"), dict) and isinstance(
        new.get("additionalProperties"), dict
    ):
        _compare(
            old["additionalProperties"],
            new["additionalProperties"],
            old_root,
            new_root,
            f"{path}{{}}",
            problems,
        )
