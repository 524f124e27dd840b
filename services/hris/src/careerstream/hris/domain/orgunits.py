"""The organisation tree as the HRIS describes it: exports, checks and what changed (no I/O).

An org-unit export is a CSV or JSON file of every unit:

    orgunit_id   required, unique in the file
    name         required
    parent_id    optional: the unit above (empty at the top); in the file or known
    head_id      optional: the employee id of the unit's head (one the gateway does not know
                 yet is accepted with a warning: a tree may come before the people)
    active       optional: true (default) or false

A full export replaces the tree: a unit the gateway knows and the file leaves
out is closed (`active` false), never deleted, since people may still sit in it.
Each error names its line (CSV: the file line, the header being line 1; JSON:
the position in the array, from 1); a file with any error is refused whole. A
tree in which a unit would sit under itself is refused with the loop spelled
out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from careerstream.hris.domain.exports import ExportInvalid, LineError, decoded, rows_of

COLUMNS = ("orgunit_id", "name", "parent_id", "head_id", "active")
MAX_UNITS = 200_000
MAX_TEXT = 200
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


@dataclass(frozen=True)
class Unit:
    orgunit_id: str
    name: str
    parent_id: str | None = None
    head_id: str | None = None
    active: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "orgunit_id": self.orgunit_id,
            "name": self.name,
            "parent_id": self.parent_id,
            "head_id": self.head_id,
            "active": self.active,
        }


def _text(raw: Mapping[str, Any], key: str, line: int, errors: list[LineError]) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors.append(LineError(line, f"{key}: must be text"))
        return None
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        errors.append(LineError(line, f"{key}: longer than {MAX_TEXT} characters"))
        return None
    return text or None


def _active(raw: Mapping[str, Any], line: int, errors: list[LineError]) -> bool:
    value = raw.get("active")
    if value is None or value is True or value is False:
        return value is not False
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    errors.append(LineError(line, f"active: {str(value)[:40]!r} is not true or false"))
    return True


def parse(text: str | bytes, fmt: str) -> list[tuple[int, Unit]]:
    """Every unit of an export with its line; raises `ExportInvalid` listing every problem."""
    text = decoded(text)
    errors: list[LineError] = []
    out: list[tuple[int, Unit]] = []
    seen: dict[str, int] = {}
    for line, raw in rows_of(
        text, fmt, items="org_units", required=["orgunit_id", "name"], known=COLUMNS.__contains__
    ):
        if "__not_an_object__" in raw:
            errors.append(LineError(line, "not an object"))
            continue
        if "__extra__" in raw:
            errors.append(LineError(line, f"more values than columns: {raw['__extra__']}"))
            continue
        if fmt == "json":
            unknown = [k for k in raw if k not in COLUMNS]
            if unknown:
                errors.append(LineError(line, f"unknown field(s): {', '.join(unknown)}"))
        unit_id = _text(raw, "orgunit_id", line, errors)
        name = _text(raw, "name", line, errors)
        parent = _text(raw, "parent_id", line, errors)
        head = _text(raw, "head_id", line, errors)
        active = _active(raw, line, errors)
        if unit_id is None:
            errors.append(LineError(line, "orgunit_id is missing"))
            continue
        if name is None:
            errors.append(LineError(line, f"name of {unit_id} is missing"))
            continue
        if unit_id in seen:
            errors.append(
                LineError(
                    line, f"orgunit_id {unit_id} appears twice (first on line {seen[unit_id]})"
                )
            )
            continue
        seen[unit_id] = line
        out.append((line, Unit(unit_id, name, parent, head, active)))
        if len(out) > MAX_UNITS:
            raise ExportInvalid([LineError(line, f"more than {MAX_UNITS} org units")])
    if not out and not errors:
        errors.append(LineError(1, "the file lists no org units"))
    if errors:
        raise ExportInvalid(sorted(errors, key=lambda e: e.line))
    return out


def loop_through(tree: Mapping[str, Unit], start: str) -> list[str] | None:
    """The loop `start` sits in when following parents (`[a, b, a]`), or None."""
    path: list[str] = []
    at: str | None = start
    seen: set[str] = set()
    while at is not None and at in tree:
        if at in seen:
            return [*path[path.index(at) :], at]
        seen.add(at)
        path.append(at)
        at = tree[at].parent_id
    return None


@dataclass(frozen=True)
class Outcome:
    changed: list[Unit]
    """Units to publish, parents before children."""
    counts: dict[str, int]
    warnings: list[LineError]
    """What was accepted but looks wrong (a head the gateway does not know yet)."""


def merge(
    known: Mapping[str, Unit],
    incoming: Iterable[tuple[int, Unit]],
    people: set[str] | None,
    *,
    full: bool,
) -> Outcome:
    """The tree after `incoming` (a full export when `full`), checked whole.

    `people` is the set of known employee ids (None: heads are not checked); a head not
    among them is a warning. Raises `ExportInvalid` when a parent is unknown or a unit
    would sit under itself.
    """
    tree = dict(known)
    lines: dict[str, int] = {}
    errors: list[LineError] = []
    warnings: list[LineError] = []
    for line, unit in incoming:
        tree[unit.orgunit_id] = unit
        lines[unit.orgunit_id] = line
    if full:
        for unit_id, unit in known.items():
            if unit_id not in lines and unit.active:
                tree[unit_id] = replace(unit, active=False)
    for unit_id, line in lines.items():
        unit = tree[unit_id]
        if unit.parent_id is not None and unit.parent_id not in tree:
            errors.append(
                LineError(
                    line,
                    f"parent_id {unit.parent_id} of {unit_id} is neither in the file nor known",
                )
            )
        if unit.parent_id == unit_id:
            errors.append(LineError(line, f"{unit_id} is its own parent"))
        if unit.head_id is not None and people is not None and unit.head_id not in people:
            warnings.append(
                LineError(
                    line, f"head_id {unit.head_id} of {unit_id} is not a known employee (yet)"
                )
            )
    reported: set[str] = set()
    for unit_id, line in sorted(lines.items(), key=lambda kv: kv[1]):
        loop = loop_through(tree, unit_id)
        if loop is not None and loop[0] != loop[1] and not reported & set(loop):
            reported |= set(loop)
            errors.append(LineError(line, f"{unit_id} would sit under itself: {' → '.join(loop)}"))
    if errors:
        raise ExportInvalid(sorted(errors, key=lambda e: e.line))
    changed = {u: tree[u] for u in tree if known.get(u) != tree[u]}
    counts = {
        "created": sum(1 for u in changed if u not in known),
        "changed": sum(1 for u in changed if u in known and changed[u].active),
        "closed": sum(1 for u in changed if u in known and not changed[u].active),
        "unchanged": sum(1 for u in lines if u not in changed),
    }
    return Outcome(_parents_first(changed, tree), counts, sorted(warnings, key=lambda e: e.line))


def _parents_first(changed: Mapping[str, Unit], tree: Mapping[str, Unit]) -> list[Unit]:
    depths: dict[str, int] = {}

    def depth(unit_id: str) -> int:
        path: list[str] = []
        at: str | None = unit_id
        while at is not None and at in tree and at not in depths and at not in path:
            path.append(at)
            at = tree[at].parent_id
        base = depths.get(at, -1) if at is not None else -1
        for i, u in enumerate(reversed(path)):
            depths[u] = base + 1 + i
        return depths[unit_id]

    return [changed[u] for u in sorted(changed, key=lambda u: (depth(u), u))]
