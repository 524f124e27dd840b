"""Full exports: a CSV or JSON file of every employee, read and checked whole (no I/O).

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
from collections.abc import Callable, Iterable, Sequence
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
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ExportInvalid([LineError(exc.lineno, f"not valid JSON: {exc.msg}")]) from exc
        if isinstance(data, dict) and items in data:
            data = data[items]
        if not isinstance(data, list):
            raise ExportInvalid(
                [
                    LineError(
                        1,
                        f'expected a JSON array of {items.replace("_", " ")} (or {{"{items}": [...]}})',
                    )
                ]
            )
        for i, item in enumerate(data, start=1):
            yield i, item if isinstance(item, dict) else {"__not_an_object__": item}
        return
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
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


def parse(text: str | bytes, fmt: str, known_ids: set[str]) -> list[Row]:
    text = decoded(text)
    errors: list[LineError] = []
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for line, raw in rows_of(text, fmt, items="employees", required=["employee_id"], known=_known):
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
                errors.append(LineError(line, f"not text or a number: {', '.join(sorted(nested))}"))
                continue
        emp = raw.get("employee_id")
        if not emp or not str(emp).strip():
            errors.append(LineError(line, "employee_id is missing"))
            continue
        emp = str(emp).strip()
        if emp in seen:
            errors.append(
                LineError(line, f"employee_id {emp} appears twice (first on line {seen[emp]})")
            )
            continue
        seen[emp] = line
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
        if raw.get("manager_id") is not None and str(raw["manager_id"]) == emp:
            errors.append(LineError(line, f"{emp} is their own manager"))

        def text_of(key: str, raw: dict[str, Any] = raw) -> str | None:
            value = raw.get(key)
            return None if value is None else str(value).strip() or None

        rows.append(
            Row(
                line,
                Record(
                    emp,
                    display_name=text_of("display_name"),
                    job_code=text_of("job_code"),
                    job_title=text_of("job_title"),
                    manager_id=text_of("manager_id"),
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
        )
    ids = set(seen) | known_ids
    for r in rows:
        if r.record.manager_id is not None and r.record.manager_id not in ids:
            errors.append(
                LineError(
                    r.line, f"manager_id {r.record.manager_id} is neither in the file nor known"
                )
            )
    if not rows and not errors:
        errors.append(LineError(1, "the file lists no employees"))
    if errors:
        raise ExportInvalid(sorted(errors, key=lambda e: e.line))
    return rows
