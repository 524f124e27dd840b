"""Parsing a framework file with bounds: one set of rules for YAML and JSON.

A framework file comes from anyone with the hr_admin role, so reading it must cost
little whatever it holds:

- **No anchors or aliases.** YAML's ``&anchor`` / ``*alias`` let a 400-byte document
  expand into billions of nodes; framework files never need them, so any anchor or alias
  is refused at the line it appears on, before anything is built.
- **Bounded size, depth and node count** (`MAX_BYTES`, `MAX_DEPTH`, `MAX_NODES`).
- **Numbers in range.** Integers must fit in 32 bits (versions, ranks and levels are
  stored as such); longer digit strings are refused before Python converts them, and
  floats must be finite.
- **Text PostgreSQL can store**: no NUL character, no unpaired surrogate.

`parse` returns the plain data (dicts, lists, scalars) and the line of every path in it,
or raises `Unreadable` with the line and what was wrong.
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml

from careerstream.frameworks.domain.rules import Loc

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 24
MAX_NODES = 200_000
INT_MAX = 2**31 - 1


class Unreadable(ValueError):
    """The file cannot be read at all; `line` is where, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _line(node: yaml.Node | yaml.Event | None) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors and aliases and counts what it builds."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise Unreadable(
                "anchors and aliases (&name, *name) are not allowed in framework files; "
                "write each value out",
                _line(event),
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise Unreadable(f"the file has more than {MAX_NODES} values", _line(event))
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise Unreadable(f"the file nests deeper than {MAX_DEPTH} levels", _line(event))
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _lines(node: yaml.Node, loc: Loc, out: dict[Loc, int]) -> None:
    out[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                _lines(value, (*loc, key.value), out)
                out[(*loc, key.value)] = key.start_mark.line + 1  # the key's line, not its value's
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*loc, i), out)


def _scalar_checks(node: yaml.Node) -> None:
    """Refuse, before construction, an integer scalar too long to be in range."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:int" and len(node.value) > 16:
            raise Unreadable(f"the number {node.value[:20]}… is out of range", _line(node))
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _scalar_checks(key)
            _scalar_checks(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _scalar_checks(item)


def _text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired surrogate"
    return None


def _check(value: Any, loc: Loc, lines: dict[Loc, int], depth: int = 0) -> None:
    def where() -> int | None:
        for n in range(len(loc), -1, -1):
            if loc[:n] in lines:
                return lines[loc[:n]]
        return None

    path = ".".join(str(p) for p in loc) or "<document>"
    if depth > MAX_DEPTH:
        raise Unreadable(f"{path}: nests deeper than {MAX_DEPTH} levels", where())
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if not -INT_MAX <= value <= INT_MAX:
            raise Unreadable(f"{path}: the number {value} is out of range", where())
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Unreadable(f"{path}: {value} is not a finite number", where())
    elif isinstance(value, str):
        why = _text_problem(value)
        if why:
            raise Unreadable(f"{path}: the text {why}", where())
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                why = _text_problem(key)
                if why:
                    raise Unreadable(f"{path}: a key {why}", where())
            _check(item, (*loc, key if isinstance(key, str | int) else str(key)), lines, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, (*loc, i), lines, depth + 1)


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > 16:
        raise Unreadable(f"the number {text[:20]}… is out of range")
    return int(text)


def _json_constant(text: str) -> float:
    raise Unreadable(f"{text} is not a number JSON allows")


def parse(text: str, fmt: str) -> tuple[Any, dict[Loc, int]]:
    """The file's data and the line of each path (see the module doc for the bounds)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise Unreadable(f"the file is larger than {MAX_BYTES} bytes")
    lines: dict[Loc, int] = {}
    if fmt == "json":
        try:
            data = json.loads(text, parse_int=_json_int, parse_constant=_json_constant)
        except json.JSONDecodeError as exc:
            raise Unreadable(f"not valid JSON: {exc.msg}", exc.lineno) from exc
        except RecursionError as exc:
            raise Unreadable(f"the file nests deeper than {MAX_DEPTH} levels") from exc
    loader = _BoundedLoader(text)
    try:
        # JSON is YAML too, which gives the lines of JSON files as well.
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            if fmt == "json":
                node = None  # valid JSON that YAML reads differently: no line numbers
            else:
                mark = getattr(exc, "problem_mark", None)
                problem = getattr(exc, "problem", None) or str(exc)
                raise Unreadable(
                    f"not valid YAML: {problem}", mark.line + 1 if mark is not None else None
                ) from exc
        if node is not None:
            _lines(node, (), lines)
        if fmt != "json":
            if node is None:
                data = None
            else:
                _scalar_checks(node)
                try:
                    data = loader.construct_document(node)
                except yaml.YAMLError as exc:
                    mark = getattr(exc, "problem_mark", None)
                    raise Unreadable(
                        f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                        mark.line + 1 if mark is not None else None,
                    ) from exc
                except (ValueError, TypeError, OverflowError) as exc:
                    raise Unreadable(f"not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    _check(data, (), lines)
    return data, lines
