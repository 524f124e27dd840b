"""A small company for the assessments tests: one framework, a reporting line, HRIS events."""

from __future__ import annotations

from typing import Any

from careerstream.devstack.sample import (
    auth,
    changed,
    framework,
    hired,
    in_a_week,
    ratings,
    terminated,
    wait_until,
)

__all__ = [
    "auth",
    "changed",
    "company",
    "framework",
    "hired",
    "in_a_week",
    "ratings",
    "terminated",
    "wait_until",
]


def company() -> list[Any]:
    """D directs M; M manages E1, E2 and E3; P is a peer in another team, reporting to D."""
    return [
        framework(),
        hired("D", "eng.lead", None),
        hired("M", "eng.lead", "D"),
        hired("E1", "eng.engineer", "M"),
        hired("E2", "eng.engineer", "M"),
        hired("E3", "eng.senior", "M", dept="D2"),
        hired("P", "eng.engineer", "D"),
        hired("X", None, "D"),  # no role in the HRIS: cannot be assessed
    ]
