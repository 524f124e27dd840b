"""Figure definitions without I/O."""

from __future__ import annotations

from datetime import UTC, datetime

from careerstream.metrics.domain.definitions import (
    Fill,
    Person,
    exits_within,
    median,
    mobility,
    months_later,
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


def test_months_are_calendar_months() -> None:
    # Referenced 2024-01-01 00:00; 12 months later is 2025-01-01 00:00 (whatever leap days lie
    # between). Someone whose last day is 2025-01-01 is still employed then (they leave at the
    # midnight after it): retained. Someone whose last day is 2024-12-31 left at that very
    # midnight: not retained.
    ref = t("2024-01-01")
    stays = Person("A", t("2020-01-01"), t("2025-01-02"), False, {})
    leaves = Person("B", t("2020-01-01"), t("2025-01-01"), False, {})
    cohort = [(stays, ref), (leaves, ref)]
    # Eligible only once the horizon has passed: not a second before 2025-01-01.
    assert retention(cohort, datetime.fromisoformat("2024-12-31T23:59:59+00:00"), 12) == (None, 0)
    assert retention(cohort, t("2025-01-01"), 12) == (0.5, 2)
    assert exits_within(cohort, 12) == (1, 0)  # B left within the 12 months, A did not
    # The end of a month: 31 January plus one month is the last day of February.
    assert months_later(t("2024-01-31"), 1) == t("2024-02-29")
    assert months_later(t("2025-01-31"), 1) == t("2025-02-28")
    assert months_later(datetime.fromisoformat("2025-08-31T14:00:00+00:00"), 6) == (
        datetime.fromisoformat("2026-02-28T14:00:00+00:00")
    )
