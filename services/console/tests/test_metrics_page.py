"""HR's dashboard: the skills heatmap as a table, and the charts (no browser, no services)."""

import time

from careerstream.console.metrics_page import fairness_chart, heatmap, trend_chart


def test_teams_with_the_largest_gaps_first_each_with_a_cell_per_competency() -> None:
    cells = [
        {"team": "Ann (A1)", "competency_id": "python", "mean_gap": 0.5},
        {"team": "Bo (B1)", "competency_id": "sql", "mean_gap": 1.5},
        {"team": "Bo (B1)", "competency_id": "python", "suppressed": True},
        {"team": "Cy (C1)", "competency_id": "sql", "suppressed": True},
    ]
    table = heatmap(cells)
    assert table["competencies"] == ["python", "sql"]
    assert [t for t, _ in table["teams"]] == ["Bo (B1)", "Ann (A1)", "Cy (C1)"]
    bo = dict(table["teams"])["Bo (B1)"]
    assert bo[0] == {"team": "Bo (B1)", "competency_id": "python", "suppressed": True}
    assert bo[1]["mean_gap"] == 1.5
    assert dict(table["teams"])["Ann (A1)"][1] is None
    assert table["total"] == 3


def test_a_thousand_teams_are_cut_to_the_limit_in_one_pass() -> None:
    """A 10,000-person company: 1,000 teams x 40 competencies. The template once searched the
    40,000 cells for each of the 40,000 positions; the page took minutes."""
    cells = [
        {"team": f"T{t:04d}", "competency_id": f"c{c:02d}", "mean_gap": (t % 97) / 10}
        for t in range(1000)
        for c in range(40)
    ]
    began = time.perf_counter()
    table = heatmap(cells, limit=50)
    assert time.perf_counter() - began < 2.0
    assert table["total"] == 1000
    assert len(table["teams"]) == 50
    gaps = [max(x["mean_gap"] for x in row if x) for _, row in table["teams"]]
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[0] == 9.6


def test_the_view_may_send_only_the_largest_gaps_and_say_how_many_teams_there_are() -> None:
    cells = [{"team": "Bo (B1)", "competency_id": "sql", "mean_gap": 1.5}]
    assert heatmap(cells, total=1200)["total"] == 1200


def test_suppressed_months_are_gaps_and_suppressed_groups_are_not_charted() -> None:
    trends = {
        "promotion_rate": {
            "points": [
                {"month": "2026-01", "value": 0.1, "suppressed": False},
                {"month": "2026-02", "suppressed": True},
            ]
        },
        "conversations_per_employee": {"points": [{"month": "2026-01", "value": 2.0}]},
    }
    chart = trend_chart(trends)
    assert chart["labels"] == ["2026-01", "2026-02"]
    assert [s["metric"] for s in chart["series"]] == ["promotion_rate"]
    assert chart["series"][0]["values"] == [0.1, None]
    fair = fairness_chart(
        {
            "groups": [
                {"group": "f", "promotion_rate": 0.3, "internal_fill_rate": 0.5},
                {"group": "x", "suppressed": True},
            ]
        }
    )
    assert fair["labels"] == ["f"]
    assert [s["values"] for s in fair["series"]] == [[0.3], [0.5]]
