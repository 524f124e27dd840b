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


def test_a_leaver_is_employed_through_their_last_day() -> None:
    # Terminated with effective date 2025-03-10 (the last day worked): Person.left_on is the
    # midnight after it, 2025-03-11 00:00.
    leaver = Person("L", t("2020-01-01"), t("2025-03-11"), True, {})
    assert leaver.employed_at(datetime.fromisoformat("2025-03-10T17:00:00+00:00"))
    assert not leaver.employed_at(t("2025-03-11"))
    # Passed over at 14:00 on their last day: they left within 12 months of it (1 exit, not 0),
    # and they are not retained 6 months on.
    passed_over_at = datetime.fromisoformat("2025-03-10T14:00:00+00:00")
    assert exits_within([(leaver, passed_over_at)], 12) == (1, 1)
    assert retention([(leaver, passed_over_at)], t("2026-01-01"), 6) == (0.0, 1)


def test_twelve_months_are_365_and_a_quarter_days() -> None:
    # Referenced 2024-01-01 00:00; 12 months later is 2024-12-31 06:00 (2024 is a leap year:
    # 365.25 days from midnight 1 January). Someone whose last day is 2024-12-31 is still
    # employed then (they leave at midnight after it): retained.
    ref = t("2024-01-01")
    last_day_dec_31 = Person("A", t("2020-01-01"), t("2025-01-01"), False, {})
    last_day_dec_30 = Person("B", t("2020-01-01"), t("2024-12-31"), False, {})
    cohort = [(last_day_dec_31, ref), (last_day_dec_30, ref)]
    # Eligible only once the horizon has passed: not at 2024-12-31 06:00 minus a second.
    assert retention(cohort, datetime.fromisoformat("2024-12-31T05:59:59+00:00"), 12) == (None, 0)
    assert retention(cohort, datetime.fromisoformat("2024-12-31T06:00:00+00:00"), 12) == (0.5, 2)
    assert exits_within(cohort, 12) == (1, 0)  # B left within the 12 months, A did not
