"""The HRIS's performance rating: words or a 1-5 scale become low, medium or high, in exports
and every vendor's webhooks; anything else is refused, naming where it was."""

from __future__ import annotations

import pytest

from careerstream.hris.domain import vendors
from careerstream.hris.domain.exports import ExportInvalid, parse
from careerstream.hris.domain.records import normal_performance


def test_words_and_scales() -> None:
    assert [
        normal_performance(v) for v in ("High", " low ", "MEDIUM", 1, "2", 3, "4", 5.0, None, "")
    ] == [
        "high",
        "low",
        "medium",
        "low",
        "low",
        "medium",
        "high",
        "high",
        None,
        None,
    ]
    for bad in ("excellent", 0, 6, "3.5"):
        with pytest.raises(ValueError, match="not low, medium, high or 1-5"):
            normal_performance(bad)


def test_exports_and_webhooks_carry_it() -> None:
    rows = parse("employee_id,performance\nA,4\nB,\nC,low\n", "csv", set())
    assert [r.record.performance for r in rows] == ["high", None, "low"]
    with pytest.raises(ExportInvalid) as bad:
        parse("employee_id,performance\nA,stellar\n", "csv", set())
    assert [(e.line, e.message) for e in bad.value.errors] == [
        (2, "performance 'stellar' is not low, medium, high or 1-5")
    ]
    worker = {"workerId": "W1", "performanceRating": 5}
    _, [n] = vendors.read(
        "workday",
        {
            "eventId": "e1",
            "eventType": "Job_Change",
            "effectiveDate": "2026-01-01",
            "worker": worker,
        },
    )
    assert n.values["performance"] == "high"
    with pytest.raises(vendors.Rejected, match=r"worker\.performanceRating"):
        vendors.read(
            "workday",
            {
                "eventId": "e2",
                "eventType": "Job_Change",
                "effectiveDate": "2026-01-01",
                "worker": {"workerId": "W1", "performanceRating": "superb"},
            },
        )
    _, [sf] = vendors.read(
        "successfactors",
        {
            "messageId": "m1",
            "operation": "UPDATE",
            "userId": "U1",
            "effectiveStartDate": "2026-01-01",
            "fields": {"performance": "Medium"},
        },
    )
    assert sf.values == {"performance": "medium"}
    _, [bamboo] = vendors.read(
        "bamboohr",
        {"employees": [{"id": "B1", "action": "Updated", "fields": {"performance": "2"}}]},
    )
    assert bamboo.values == {"performance": "low"}
    with pytest.raises(vendors.Rejected, match=r"employees\[0\]\.fields\.performance"):
        vendors.read(
            "bamboohr",
            {"employees": [{"id": "B1", "action": "Updated", "fields": {"performance": "x"}}]},
        )
