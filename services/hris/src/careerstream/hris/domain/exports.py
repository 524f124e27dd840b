"""Full exports: a CSV or JSON file of every employee, read and checked row by row (no I/O).

Columns (CSV header, or keys of each JSON object):
    employee_id        required, unique in the file
    display_name       optional
    job_code, job_title, manager_id, department_id, location   optional
    work_email         optional, the address notifications go to
    performance        optional, the latest rating: low, medium, high, or 1-5 (1-2 low, 3
                       medium, 4-5 high)
    hire_date          optional, YYYY-MM-DD (a hire dated in the future is held until then)
    group.<name>       optional group attributes for fairness reporting (e.g. group.gender)

Every error is reported with its line (CSV: the file line, the header being
line 1; JSON: the position in the array, from 1), and a file with any error is
refused whole. A manager id that is neither in the file nor known to the
gateway is an error.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Collection, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from careerstream.hris.domain.records import Record, normal_performance

KNOWN = {
    "employee_id",
    "display_name",
    "job_code",
    "job_title",
    "manager_id",
    "department_id",
    "location",
    "work_email",
    "hire_date",
    "performance",
}


@dataclass(frozen=True)
class Row:
    line: int
    record: Record
    hire_date: date | None


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


class ExportInvalid(ValueError):
    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        super().__init__(
            f"{len(errors)} error(s): "
            + "; ".join(f"line {e.line}: {e.message}" for e in errors[:5])
        )


_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def _json_items(text: str, items: str) -> Iterator[Any]:
    """The elements of a JSON array, or of the array under `items` in an object, one at a time
    (a large export is never held decoded whole)."""

    def invalid(exc: json.JSONDecodeError) -> ExportInvalid:
        return ExportInvalid([LineError(exc.lineno, f"not valid JSON: {exc.msg}")])

    def expected() -> ExportInvalid:
        what = f'a JSON array of {items.replace("_", " ")} (or {{"{items}": [...]}})'
        return ExportInvalid([LineError(1, f"expected {what}")])

    def skip(at: int) -> int:
        while at < len(text) and text[at] in _SPACE:
            at += 1
        return at

    def value(at: int) -> tuple[Any, int]:
        try:
            return _DECODER.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            raise invalid(exc) from exc

    def elements(at: int) -> Generator[Any, None, int]:
        """The array's elements (`at` is just past its "["); returns where it ends."""
        at = skip(at)
        if text.startswith("]", at):
            return at + 1
        while True:
            item, at = value(at)
            yield item
            at = skip(at)
            if text.startswith(",", at):
                at = skip(at + 1)
            elif text.startswith("]", at):
                return at + 1
            else:
                raise invalid(json.JSONDecodeError("Expecting ',' delimiter", text, at))

    at = skip(0)
    found = True
    if text.startswith("[", at):
        end = skip((yield from elements(at + 1)))
    elif text.startswith("{", at):
        found = False
        at = skip(at + 1)
        while not text.startswith("}", at):
            key, at = value(at)
            at = skip(at)
            if not isinstance(key, str) or not text.startswith(":", at):
                raise invalid(json.JSONDecodeError("Expecting property name", text, at))
            at = skip(at + 1)
            if key == items and text.startswith("[", at) and not found:
                found = True
                at = yield from elements(at + 1)
            else:
                _, at = value(at)
            at = skip(at)
            if text.startswith(",", at):
                at = skip(at + 1)
                if text.startswith("}", at):
                    raise invalid(json.JSONDecodeError("Expecting property name", text, at))
            elif not text.startswith("}", at):
                raise invalid(json.JSONDecodeError("Expecting ',' delimiter", text, at))
        end = skip(at + 1)
    else:
        found = False
        _, end = value(at)  # not JSON at all, or a scalar
        end = skip(end)
    if end < len(text):
        raise invalid(json.JSONDecodeError("Extra data", text, end))
    if not found:
        raise expected()


def rows_of(
    text: str,
    fmt: str,
    *,
    items: str,
    required: Sequence[str],
    known: Callable[[str], bool],
) -> Iterable[tuple[int, dict[str, Any]]]:
    """(line, raw row) of a CSV or JSON export whose rows are `items` (e.g. employees): a JSON
    array or `{"<items>": [...]}`, or a CSV whose header names `required` and only columns
    `known` accepts. Empty CSV cells are None; a row that is not an object or has more values
    than columns is marked (`__not_an_object__`, `__extra__`) for the caller to report."""
    if fmt == "json":
        for i, item in enumerate(_json_items(text, items), start=1):
            yield i, item if isinstance(item, dict) else {"__not_an_object__": item}
        return
    reader = csv.DictReader(_lines(text), strict=True)
    try:
        names = reader.fieldnames or []
        if not names or any(r not in names for r in required):
            raise ExportInvalid(
                [LineError(1, f"the header must name at least {' and '.join(required)}")]
            )
        unknown = [c for c in names if not known(c)]
        if unknown:
            raise ExportInvalid([LineError(1, f"unknown column(s): {', '.join(unknown)}")])
        for row in reader:
            if None in row:
                yield reader.line_num, {"__extra__": row[None]}
            else:
                yield reader.line_num, {k: (v if v != "" else None) for k, v in row.items()}
    except csv.Error as exc:
        raise ExportInvalid([LineError(max(reader.line_num, 1), f"not valid CSV: {exc}")]) from exc


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their endings, as `io.StringIO(text, newline="")` gives them to
    the csv module, without its copy of the text (four bytes a character)."""
    if text.count("\r") != text.count("\r\n"):  # lines ended by a lone CR: rare, and small
        yield from io.StringIO(text, newline="")
        return
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def decoded(text: str | bytes) -> str:
    """An export's text (UTF-8, with or without a byte-order mark)."""
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExportInvalid([LineError(1, f"not UTF-8: {exc}")]) from exc


def _known(column: str) -> bool:
    return column in KNOWN or column.startswith("group.")


class Checked:
    """An export read and checked row by row, so that a large one is never held whole.

    Iterate for its rows, in file order; a row with an error is still given (the other
    rows' checks need it) unless it has no usable employee id or repeats one. Then
    `finish(known)`, told the ids the gateway knows, returns every error by line.
    It keeps one row at a time, the ids seen and the managers not yet seen.

    With `track_ids=False` it keeps one row at a time only: a repeated employee id and a
    manager the file does not list are not its errors, and whoever stores the rows checks
    them there: a full import checks them in the database (`Gateway.import_id_errors`, with
    `twice` and `unknown_manager`), so that a million ids are not held in memory.
    """

    def __init__(self, text: str | bytes, fmt: str, *, track_ids: bool = True) -> None:
        self.text = decoded(text)
        self.fmt = fmt
        self.track_ids = track_ids
        self.errors: list[LineError] = []
        self.rows = 0
        self._seen: dict[str, int] = {}
        self._forward: list[tuple[int, str]] = []
        """(line, manager id) of rows whose manager had not been listed yet."""

    def __iter__(self) -> Iterator[Row]:
        errors = self.errors
        fmt = self.fmt
        for line, raw in rows_of(
            self.text, fmt, items="employees", required=["employee_id"], known=_known
        ):
            if "__not_an_object__" in raw:
                errors.append(LineError(line, "not an object"))
                continue
            if "__extra__" in raw:
                errors.append(LineError(line, f"more values than columns: {raw['__extra__']}"))
                continue
            if fmt == "json":
                unknown = [k for k in raw if not _known(k)]
                if unknown:
                    errors.append(LineError(line, f"unknown field(s): {', '.join(unknown)}"))
                nested = [k for k, v in raw.items() if isinstance(v, dict | list)]
                if nested:
                    errors.append(
                        LineError(line, f"not text or a number: {', '.join(sorted(nested))}")
                    )
                    continue
            row = self._row(line, raw)
            if row is not None:
                self.rows += 1
                yield row

    def _row(self, line: int, raw: dict[str, Any]) -> Row | None:
        errors = self.errors
        emp = raw.get("employee_id")
        if not emp or not str(emp).strip():
            errors.append(LineError(line, "employee_id is missing"))
            return None
        emp = str(emp).strip()
        if self.track_ids:
            if emp in self._seen:
                errors.append(twice(line, emp, self._seen[emp]))
                return None
            self._seen[emp] = line
        hire: date | None = None
        if raw.get("hire_date"):
            try:
                hire = date.fromisoformat(str(raw["hire_date"]))
            except ValueError:
                errors.append(
                    LineError(line, f"hire_date {raw['hire_date']!r} is not a date (YYYY-MM-DD)")
                )
        performance: str | None = None
        try:
            performance = normal_performance(raw.get("performance"))
        except ValueError as exc:
            errors.append(LineError(line, f"performance {exc}"))

        def text_of(key: str) -> str | None:
            value = raw.get(key)
            return None if value is None else str(value).strip() or None

        manager = text_of("manager_id")
        if raw.get("manager_id") is not None and str(raw["manager_id"]) == emp:
            errors.append(LineError(line, f"{emp} is their own manager"))
        elif self.track_ids and manager is not None and manager not in self._seen:
            self._forward.append((line, manager))
        return Row(
            line,
            Record(
                emp,
                display_name=text_of("display_name"),
                job_code=text_of("job_code"),
                job_title=text_of("job_title"),
                manager_id=manager,
                department_id=text_of("department_id"),
                location=text_of("location"),
                work_email=text_of("work_email"),
                performance=performance,
                groups={
                    k.removeprefix("group."): str(v)
                    for k, v in raw.items()
                    if k.startswith("group.") and v is not None
                },
            ),
            hire,
        )

    def finish(self, known: Collection[str]) -> list[LineError]:
        """Every error by line (none: the file is good), given the ids the gateway knows (the
        managers the file names but does not list must be among them)."""
        return self.finish_with(
            unknown_manager(line, m)
            for line, m in self._forward
            if m not in self._seen and m not in known
        )

    def finish_with(self, found: Iterable[LineError]) -> list[LineError]:
        """Every error by line: the rows' own and `found` (by whoever checked the ids)."""
        errors = [*self.errors, *found]
        if not self.rows and not errors:
            errors.append(LineError(1, "the file lists no employees"))
        return sorted(errors, key=lambda e: e.line)


def twice(line: int, employee_id: str, first: int) -> LineError:
    return LineError(line, f"employee_id {employee_id} appears twice (first on line {first})")


def unknown_manager(line: int, manager_id: str) -> LineError:
    return LineError(line, f"manager_id {manager_id} is neither in the file nor known")


def parse(text: str | bytes, fmt: str, known_ids: Collection[str]) -> list[Row]:
    """Every row of an export; raises `ExportInvalid` listing every problem by line."""
    checked = Checked(text, fmt)
    rows = list(checked)
    errors = checked.finish(known_ids)
    if errors:
        raise ExportInvalid(errors)
    return rows
