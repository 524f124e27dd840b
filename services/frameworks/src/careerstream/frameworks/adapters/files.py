"""Frameworks as code: read and write the YAML (or JSON) file of a framework version.

Reading is bounded (`parsing`: no YAML anchors or aliases, limits on size, depth, values
and numbers), then reports every problem at once — malformed YAML, unknown or missing
fields, wrong types, and every rule the framework breaks — each with its path
in the document and its line in the file. Writing then reading gives the same
framework back (a lossless round trip).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from careerstream.frameworks.adapters import parsing
from careerstream.frameworks.domain.model import Framework
from careerstream.frameworks.domain.rules import Loc, format_loc, validate

Format = Literal["yaml", "json"]


@dataclass(frozen=True)
class FileError:
    path: str
    line: int | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message}


class FrameworkFileInvalid(ValueError):
    def __init__(self, errors: list[FileError]) -> None:
        self.errors = errors
        first = "; ".join(
            f"line {e.line}: {e.path}: {e.message}" if e.line else f"{e.path}: {e.message}"
            for e in errors[:3]
        )
        super().__init__(f"{len(errors)} problem(s) in the framework file: {first}")


def _line_of(loc: Loc, lines: dict[Loc, int]) -> int | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def load(text: str | bytes, fmt: Format = "yaml") -> Framework:
    """Parse and validate a framework file; raises FrameworkFileInvalid listing every problem."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FrameworkFileInvalid(
                [FileError("<file>", None, f"not UTF-8 text: {exc}")]
            ) from exc
    try:
        data, lines = parsing.parse(text, fmt)
    except parsing.Unreadable as exc:
        raise FrameworkFileInvalid([FileError("<file>", exc.line, exc.message)]) from exc
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise FrameworkFileInvalid(
            [
                FileError(
                    "<document>",
                    1,
                    f"expected a mapping with id, name, families, ...; the file is {kind}",
                )
            ]
        )
    try:
        fw = Framework.model_validate(data)
    except ValidationError as exc:
        errors = [
            FileError(format_loc(e["loc"]), _line_of(tuple(e["loc"]), lines), e["msg"])
            for e in exc.errors()
        ]
        raise FrameworkFileInvalid(errors) from exc
    issues = validate(fw)
    if issues:
        raise FrameworkFileInvalid(
            [FileError(i.path, _line_of(i.loc, lines), i.message) for i in issues]
        )
    return fw


def dump(fw: Framework, fmt: Format = "yaml", *, header: str = "") -> str:
    data = fw.model_dump(mode="json")
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    if header:
        body = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + body
    return body
