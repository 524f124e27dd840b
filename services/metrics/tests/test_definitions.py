"""Figure definitions without I/O."""

from __future__ import annotations

from datetime import UTC, datetime

from careerstream.metrics.domain.definitions import (
    Fill,
    Person,
    exits_within,
    median,
    mobility,
    percentile,
    ratio,
    retention,
)


def t(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([10, 20, 20, 40, 45, 90], 0.9) == 90.0
    assert percentile(list(range(1, 11)), 0.9) == 9.0
    assert percentile([5], 0.9) == 5.0
    assert percentile([], 0.9) is None
    assert median([1, 2, 3, 4]) == 2.5
    assert ratio(1, 0) is None


def test_mobility_figures() -> None:
    fills = [
        Fill("a", t("2025-01-01"), t("2025-01-11"), True, "E1", "promotion"),
        Fill("b", t("2025-01-01"), t("2025-01-31"), False, None, "other"),
    ]
    out = mobility(fills, headcount=10, applications=3, postings=2)
    assert out["internal_hire_rate"] == 0.5
    assert out["promotion_rate"] == 0.1
    assert out["time_to_fill_internal_median_days"] == 10.0
    assert out["time_to_fill_external_p90_days"] == 30.0
    assert out["applications_per_opportunity"] == 1.5


def test_retention_counts_only_those_far_enough_past_their_date() -> None:
    stay = Person("A", t("2020-01-01"), None, None, {})
    left = Person("B", t("2020-01-01"), t("2025-03-01"), True, {})
    recent = Person("C", t("2020-01-01"), None, None, {})
    cohort = [(stay, t("2025-01-01")), (left, t("2025-01-01")), (recent, t("2025-12-01"))]
    assert retention(cohort, t("2026-01-01"), 6) == (0.5, 2)
    assert exits_within(cohort, 12) == (1, 1)
