"""The gateway's rules without I/O: signatures, vendor shapes, exports."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from careerstream.hris.domain import exports, vendors
from careerstream.hris.domain.records import Kind, Record, changes

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("vendor", vendors.VENDORS)
def test_signatures_verify_and_refuse(vendor: str) -> None:
    body = b'{"x": 1}'
    headers = vendors.sign(vendor, "s3cret", body, NOW)
    vendors.verify(vendor, "s3cret", headers, body, NOW)
    with pytest.raises(vendors.Rejected, match="signature does not match"):
        vendors.verify(vendor, "other", headers, body, NOW)
    with pytest.raises(vendors.Rejected, match="signature does not match"):
        vendors.verify(vendor, "s3cret", headers, b'{"x": 2}', NOW)
    with pytest.raises(vendors.Rejected, match="stale"):
        vendors.verify(vendor, "s3cret", headers, body, NOW + timedelta(minutes=6))
    with pytest.raises(vendors.Rejected, match="missing"):
        vendors.verify(vendor, "s3cret", {}, body, NOW)


def test_vendor_shapes_become_notifications() -> None:
    delivery, [hire] = vendors.read(
        "workday",
        {
            "eventId": "wd-1",
            "eventType": "Hire",
            "effectiveDate": "2026-11-01",
            "worker": {
                "workerId": "E1",
                "name": "Ada",
                "jobProfile": {"code": "ENG2", "title": "Engineer"},
                "supervisorId": "M1",
                "organizationId": "D1",
                "demographics": {"gender": "f"},
            },
        },
    )
    assert delivery == "wd-1"
    assert hire.kind is Kind.HIRE
    assert hire.values["job_code"] == "ENG2"
    assert hire.values["groups"] == {"gender": "f"}
    _, [change] = vendors.read(
        "successfactors",
        {
            "messageId": "sf-1",
            "operation": "UPDATE",
            "userId": "E1",
            "effectiveStartDate": "2026-12-01",
            "fields": {"department": "D2"},
        },
    )
    assert change.values == {"department_id": "D2"}
    assert change.effective_date == date(2026, 12, 1)
    none, [bamboo] = vendors.read(
        "bamboohr",
        {
            "employees": [
                {
                    "id": "E1",
                    "action": "Updated",
                    "changedFields": ["location"],
                    "fields": {"location": "Lyon", "department": "ignored"},
                }
            ]
        },
    )
    assert none is None
    assert bamboo.values == {"location": "Lyon"}  # only what changed
    with pytest.raises(vendors.Rejected, match="eventType"):
        vendors.read("workday", {"eventType": "Promote"})


def test_changes_are_the_fields_that_differ() -> None:
    old = Record("E1", "Ada", "ENG2", "Engineer", "M1", "D1", None, {"gender": "f"})
    new = old.merged({"department_id": "D2", "groups": {"age_band": "30-39"}})
    assert changes(old, new) == ["department_id", "groups"]
    assert new.groups == {"gender": "f", "age_band": "30-39"}


def test_an_export_with_errors_is_refused_whole_with_every_line() -> None:
    text = (
        "employee_id,display_name,job_code,manager_id,hire_date,group.gender\n"
        "E1,Ada,ENG2,,2024-01-01,f\n"
        ",Nobody,ENG2,,,\n"
        "E1,Again,ENG2,,,\n"
        "E3,Bob,ENG1,M9,yesterday,m\n"
        "E4,Eve,ENG1,E4,,f\n"
    )
    with pytest.raises(exports.ExportInvalid) as caught:
        exports.parse(text, "csv", set())
    assert [(e.line, e.message) for e in caught.value.errors] == [
        (3, "employee_id is missing"),
        (4, "employee_id E1 appears twice (first on line 2)"),
        (5, "hire_date 'yesterday' is not a date (YYYY-MM-DD)"),
        (5, "manager_id M9 is neither in the file nor known"),
        (6, "E4 is their own manager"),
    ]
    rows = exports.parse(
        json.dumps([{"employee_id": "E1", "manager_id": "M0", "group.gender": "f"}]), "json", {"M0"}
    )
    assert rows[0].record.groups == {"gender": "f"}
    with pytest.raises(exports.ExportInvalid, match="unknown column"):
        exports.parse("employee_id,salary\nE1,1\n", "csv", set())


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        # Found by the fuzzer: a bare carriage return inside a field (was a 500).
        ("\t\u00a8\U000f0f8f&\u00e6\U000fe214\u00b3\r-\u009c\u0086", "csv", "the header"),
        ('employee_id,display_name\nE1,"Ada\n', "csv", "not valid CSV"),
        ('[{"employee_id": ["E1"]}]', "json", "not text or a number: employee_id"),
        ('[{"employee_id": "E1", "manager_id": {"id": "M"}}]', "json", "manager_id"),
    ],
)
def test_malformed_exports_are_refused_with_the_line(text: str, fmt: str, message: str) -> None:
    with pytest.raises(exports.ExportInvalid) as caught:
        exports.parse(text, fmt, set())
    assert message in str(caught.value), caught.value.errors


def _reference(text: str) -> Any:
    """What a JSON export holds, read whole (the streaming reader must agree with it)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return "not valid JSON"
    if isinstance(data, dict) and "employees" in data:
        data = data["employees"]
    return data if isinstance(data, list) else "expected a JSON array"


def _streamed(text: str) -> Any:
    try:
        return list(exports._json_items(text, "employees"))
    except exports.ExportInvalid as exc:
        message = exc.errors[0].message
        return "not valid JSON" if message.startswith("not valid JSON") else message[:21]


def test_a_json_export_is_read_one_element_at_a_time_as_a_whole_read_would() -> None:
    """Valid documents, and every one of them with a character taken out or put in at random:
    the streaming reader accepts, refuses and yields exactly what `json.loads` does."""
    people = [
        {"employee_id": f"E{i}", "display_name": "Ada \u00e9", "n": [i, None]} for i in range(3)
    ]
    documents = [
        json.dumps(people),
        json.dumps(people, indent=2),
        json.dumps({"employees": people}),
        json.dumps({"source": {"employees": [1]}, "employees": people, "after": [{}]}, indent=1),
        json.dumps({"other": people}),
        " [ ] ",
        json.dumps([1, "x", {"a": {"b": []}}]),
        '{"employees": {"a": 1}}',
    ]
    rnd = random.Random(7)
    cases = list(documents)
    for doc in documents:
        for _ in range(150):
            at = rnd.randrange(len(doc) + 1)
            if rnd.random() < 0.5 and at < len(doc):
                cases.append(doc[:at] + doc[at + 1 :])
            else:
                cases.append(doc[:at] + rnd.choice('[]{},:"1 \\nx') + doc[at:])
    for text in cases:
        assert _streamed(text) == _reference(text), text


def test_a_csv_export_is_split_into_lines_as_the_csv_module_reads_a_file() -> None:
    """Line endings of every kind (LF, CRLF, a lone CR), quoted fields across lines, no final
    newline: the rows read without a copy of the text are those of `io.StringIO`."""
    import csv
    import io

    rnd = random.Random(11)
    pieces = ["E1", "Ada", ",", '"', '"a\nb"', '"x\r\ny"', "\n", "\r\n", "\r", " ", "é"]
    cases = ["", "\n", "employee_id\n", "employee_id\r\nE1", "a,b\rc,d\r"]
    cases += ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(40))) for _ in range(2000)]
    for text in cases:
        assert list(exports._lines(text)) == list(io.StringIO(text, newline="")), repr(text)

        def rows(lines: Any) -> Any:
            try:
                return list(csv.reader(lines, strict=True))
            except csv.Error as exc:
                return str(exc)

        assert rows(exports._lines(text)) == rows(io.StringIO(text, newline="")), repr(text)
