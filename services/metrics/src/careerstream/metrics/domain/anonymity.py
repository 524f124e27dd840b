"""Anonymity rules of the figures (pure; see METRICS.md, "Anonymity").

k is the tenant's anonymity threshold. Three rules keep a figure from describing fewer
than k people:

1. **Small groups.** A figure over a group (a cohort, a fairness group, a heatmap cell, a
   readiness count) of 1 to k-1 people is suppressed, and says so (`suppressed: true`).
2. **Complements.** Where groups add up to a total the caller can read (fairness groups to
   the view's headcount, retention cohorts to its population), suppressing one small group
   is not enough: the total minus the others gives it back. More groups are suppressed,
   smallest first, until those suppressed hold at least k people together (or all are).
3. **Differences.** A population is suppressed when a population the caller can also
   request contains it and holds 1 to k-1 more people (figures of both would give those
   people's figures by subtraction). `service_layer/privacy.py` finds those populations.
"""

from __future__ import annotations

from collections.abc import Mapping


def small(n: int, k: int) -> bool:
    """A group of 1 to k-1 people: its figures are suppressed (an empty group says nothing)."""
    return 0 < n < k


def complementary(sizes: Mapping[str, int], k: int) -> set[str]:
    """The groups to suppress so that no suppressed group can be recovered from the total.

    Every small group, then, while the suppressed groups hold 1 to k-1 people together,
    the smallest group still shown (ties by name), until they hold k or more or nothing
    is left to suppress.
    """
    hidden = {g for g, n in sizes.items() if small(n, k)}
    shown = sorted((n, g) for g, n in sizes.items() if g not in hidden and n > 0)
    while hidden and 0 < sum(sizes[g] for g in hidden) < k and shown:
        hidden.add(shown.pop(0)[1])
    return hidden


def differs_too_little(container: int, contained: int, k: int) -> bool:
    """Whether a population of `contained` people inside one of `container` reveals the rest."""
    return 0 < container - contained < k
