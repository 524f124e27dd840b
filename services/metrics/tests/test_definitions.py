"""Figure definitions without I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from careerstream.metrics.domain.definitions import (
    Fill,
    Person,
    RoleRef,
    all_moves,
    exits_within,
    hris_move_kind,
    median,
    mobility,
    months_later,
    percentile,
    ratio,
    retention,
    role_moves,
)
from careerstream.metrics.service_layer.figures import largest_gaps


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


def test_the_kind_of_an_hris_move() -> None:
    eng1, eng2, eng2b = RoleRef("eng", 1), RoleRef("eng", 2), RoleRef("eng", 2)
    pm2, pm3, pm4 = RoleRef("pm", 2), RoleRef("pm", 3), RoleRef("pm", 4)
    assert hris_move_kind(eng1, eng2, None) == "promotion"
    assert hris_move_kind(eng2, eng2b, None) == "lateral"  # another track, same level
    assert hris_move_kind(eng2, eng1, None) == "other"  # a step down
    assert hris_move_kind(eng2, pm2, None) == "lateral"  # another family, same level
    assert hris_move_kind(eng2, pm3, None) == "lateral"  # another family, one level up
    assert hris_move_kind(eng2, pm4, None) == "promotion"  # another family, two levels up
    assert hris_move_kind(pm4, eng2, None) == "other"
    assert hris_move_kind(None, eng2, None) == "other"
    # The vendor's reason decides when it names one.
    assert hris_move_kind(None, None, "promotion") == "promotion"
    assert hris_move_kind(eng2, eng1, "lateral_move") == "lateral"


def test_moves_are_read_from_consecutive_roles_and_counted_once() -> None:
    roles = {"e1": RoleRef("eng", 1), "e2": RoleRef("eng", 2), "p2": RoleRef("pm", 2)}
    history = [
        # A: hired e1, promoted to e2, then moves to p2 (the rows arrive out of order).
        ("A", t("2025-05-01"), t("2025-05-01"), "p2", "other"),
        ("A", t("2024-01-01"), t("2024-01-01"), "e1", "hired"),
        ("A", t("2025-02-01"), t("2025-02-01"), "e2", "other"),
        # B: a correction is not a move; the same role again is not either.
        ("B", t("2024-01-01"), t("2024-01-01"), "e1", "hired"),
        ("B", t("2025-03-01"), t("2025-03-01"), "e2", "correction"),
        ("B", t("2025-04-01"), t("2025-04-01"), "e2", "other"),
        # C: another family at the same level.
        ("C", t("2024-01-01"), t("2024-01-01"), "e1", "hired"),
        ("C", t("2025-06-01"), t("2025-06-01"), "p2", "other"),
    ]
    moves = sorted(role_moves(history, roles), key=lambda m: (m.mover_id, m.at))
    assert [(m.mover_id, m.kind, m.to_role_id) for m in moves] == [
        ("A", "promotion", "e2"),
        ("A", "lateral", "p2"),
        ("C", "lateral", "p2"),
    ]
    fill = Fill("O", t("2025-01-01"), t("2025-01-20"), True, "A", "promotion", "e2")
    far = Fill("Q", t("2024-01-01"), t("2024-06-01"), True, "C", "lateral", "p2")
    both = all_moves([fill, far], moves)
    # A's HRIS change to e2 twelve days after the fill is the fill; C's fill was a year before.
    assert sorted((m.mover_id, m.to_role_id, m.source) for m in both) == [
        ("A", "e2", "marketplace"),
        ("A", "p2", "hris"),
        ("C", "p2", "hris"),
        ("C", "p2", "marketplace"),
    ]


def test_the_heatmap_cut_to_the_teams_with_the_largest_gaps() -> None:
    cells: list[dict[str, Any]] = [
        {"team": None, "competency_id": "a", "n": 4, "mean_gap": 0.5},
        {"team": "B", "competency_id": "a", "n": 3, "mean_gap": 0.2},
        {"team": "B", "competency_id": "b", "n": 3, "mean_gap": 1.5},
        {"team": "C", "competency_id": "a", "suppressed": True},
        {"team": "D", "competency_id": "a", "n": 5, "mean_gap": 1.5},
        {"team": "E", "competency_id": "a", "n": 5, "mean_gap": 0.0},
    ]
    # B and D tie at 1.5 (B first by id); then the top level (None), then E; C only suppressed.
    assert [c["team"] for c in largest_gaps(cells, 2)] == ["B", "B", "D"]
    assert {c["team"] for c in largest_gaps(cells, 3)} == {"B", "D", None}
    assert {c["team"] for c in largest_gaps(cells, 4)} == {"B", "D", None, "E"}
    assert largest_gaps(cells, 10) == cells
