"""What HR's metrics dashboard asks the metrics API and how it shapes the answers for the
page: the trend chart, the fairness chart and the skills heatmap. Pure functions of the
answers (no request, no service)."""

from __future__ import annotations

from typing import Any

from careerstream.console.pages.common import label

TREND_METRICS = (
    "internal_hire_rate",
    "promotion_rate",
    "lateral_move_rate",
    "plan_completion_rate",
    "conversations_per_employee",
)


HEATMAP_TEAMS = 50
"""Teams shown in the dashboard's skills heatmap: those with the largest gaps (a department
filter shows the others)."""


VIEW_PARAMS: dict[str, dict[str, Any]] = {"skills": {"teams": HEATMAP_TEAMS}}
"""What the dashboard asks a view beyond the filters: the skills view answers with the
heatmap's teams only (a company of 10,000 people has about 1,000 teams and 40,000 cells)."""


def heatmap(
    cells: list[dict[str, Any]], limit: int = HEATMAP_TEAMS, total: int | None = None
) -> dict[str, Any]:
    """The skills view's cells as a table: competencies, and the teams with the largest mean
    gap first, each with its cell per competency (None where it has none), in one pass.
    `total`: how many teams the view counted (it may have sent only the largest gaps)."""
    comps = sorted({c["competency_id"] for c in cells})
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    worst: dict[str, float] = {}
    for c in cells:
        team = c["team"]
        rows.setdefault(team, {})[c["competency_id"]] = c
        gap = c.get("mean_gap")
        worst[team] = max(worst.get(team, float("-inf")), gap if gap is not None else float("-inf"))
    order = sorted(rows, key=lambda t: (-worst[t], t or ""))
    return {
        "competencies": comps,
        "teams": [(t, [rows[t].get(k) for k in comps]) for t in order[:limit]],
        "total": max(total or 0, len(rows)),
    }


def trend_chart(trends: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The trend answers as one line chart: a month per label, a series per rate (a
    suppressed month is a gap). Conversations per employee is not a rate: it has its table."""
    return {
        "labels": [p["month"] for p in next(iter(trends.values()))["points"]],
        "series": [
            {
                "metric": m,
                "label": label(m),
                "values": [None if p.get("suppressed") else p.get("value") for p in t["points"]],
            }
            for m, t in trends.items()
            if m != "conversations_per_employee"
        ],
    }


def fairness_chart(fairness: dict[str, Any]) -> dict[str, Any]:
    """The fairness answer as a bar chart of the groups shown (suppressed groups are left out
    of the chart; the table beside it says they are suppressed)."""
    shown = [g for g in fairness.get("groups", []) if not g.get("suppressed")]
    return {
        "labels": [g["group"] for g in shown],
        "series": [
            {
                "metric": "promotion_rate",
                "label": "Promotion rate",
                "values": [g.get("promotion_rate") for g in shown],
            },
            {
                "metric": "internal_fill_rate",
                "label": "Internal fill rate",
                "values": [g.get("internal_fill_rate") for g in shown],
            },
        ],
    }
