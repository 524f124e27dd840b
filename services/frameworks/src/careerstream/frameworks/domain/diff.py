"""What changed between two versions of a framework, item by item.

Lists of items are matched by their identity (`id`, or `competency_id` for
requirements and deltas, `level` for scale steps and descriptors, `uri` for the skills a
competency covers), so a
reordered list is not a change and a renamed role shows as one changed field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from careerstream.frameworks.domain.model import Framework
from careerstream.frameworks.domain.rules import format_loc

_KEYS = ("id", "competency_id", "level", "uri")


@dataclass(frozen=True)
class Change:
    change: str
    """added, removed or changed."""
    path: str
    """Where, with items named by their id: roles[engineering.staff].requirements[mentoring].level"""
    before: Any = None
    after: Any = None


def _key_of(items: list[Any]) -> str | None:
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in _KEYS:
        if all(key in i for i in items):
            return key
    return None


def _walk(a: Any, b: Any, loc: tuple[str | int, ...], out: list[Change]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                out.append(Change("added", format_loc((*loc, k)), None, b[k]))
            elif k not in b:
                out.append(Change("removed", format_loc((*loc, k)), a[k], None))
            else:
                _walk(a[k], b[k], (*loc, k), out)
        return
    if isinstance(a, list) and isinstance(b, list):
        key = _key_of(a + b)
        if key is not None:
            left = {str(i[key]): i for i in a}
            right = {str(i[key]): i for i in b}
            for k in left.keys() - right.keys():
                out.append(Change("removed", format_loc(loc) + f"[{k}]", left[k], None))
            for k in right.keys() - left.keys():
                out.append(Change("added", format_loc(loc) + f"[{k}]", None, right[k]))
            for k in left.keys() & right.keys():
                _walk(left[k], right[k], (*loc, f"[{k}]"), out)
            return
        if sorted(map(str, a)) != sorted(map(str, b)):
            out.append(Change("changed", format_loc(loc), a, b))
        return
    if a != b:
        out.append(Change("changed", format_loc(loc), a, b))


def diff(old: Framework, new: Framework) -> list[Change]:
    out: list[Change] = []
    _walk(old.model_dump(mode="json"), new.model_dump(mode="json"), (), out)
    return sorted(out, key=lambda c: c.path)
