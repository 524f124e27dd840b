"""Offline evaluation of evidence-ranked development actions against today's rule.

A simulated company (the same hidden truth as `careerstream simulate`: for each competency
one kind of action closes gaps best, `action_works`) builds a history:

- training people have goals (a competency, a gap of 1 to 3 levels);
- each goal's person does one action: the first one the plans service suggests (the
  platform's ranking at the time, learning as the history grows) with probability
  `--follow`, otherwise another fitting catalogue entry they pick;
- whether the gap closes is drawn from the truth, scaled down for bigger gaps.

Held-out people (never in the history) then get each of their goals' fitting entries
ranked two ways: by today's rule (`rules.rank`) and by the evidence the history built
(`evidence.rank_with_evidence`). Both are scored against the truth:

- **top-1 closure**: the chance the first suggestion closes the gap (the mean over goals);
- **NDCG@5**: each entry's relevance is its true closure chance, so a ranking that puts
  the entries that work first scores near 1;
- an **oracle** that knows the truth gives the ceiling of both.

Every seed is one independent company; all are printed, none picked.

    PYTHONPATH=. uv run python -m bench.evidence_ranking
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import random
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from careerstream.devstack.simulation.company import action_works
from careerstream.plans.domain.evidence import Outcomes, rank_with_evidence
from careerstream.plans.domain.rules import CatalogueEntry, rank

COMPETENCIES = [
    "craft", "design", "collaboration", "ownership", "leadership", "communication",
    "planning-analysis", "stakeholder-management",
]  # fmt: skip
GAP_FACTOR = {1: 1.0, 2: 0.75, 3: 0.5}
"""Bigger gaps close less often, whatever the action."""
SEED_FILE = (
    Path(__file__).parents[1]
    / "services/plans/src/careerstream/plans/migrations/versions/0003_seed_catalogue.py"
)


def catalogue() -> list[CatalogueEntry]:
    """The catalogue every tenant starts with (the seeded entries)."""
    spec = importlib.util.spec_from_file_location("seed_catalogue", SEED_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [CatalogueEntry(e, "*", k, t, lo, hi, w) for e, k, t, lo, hi, w in module.SEED]


def truth(kind: str, competency: str, gap: int) -> float:
    return action_works(kind, competency) * GAP_FACTOR[gap]


def goal(rnd: random.Random) -> tuple[str, int, int]:
    competency = rnd.choice(COMPETENCIES)
    gap = rnd.choice([1, 1, 2, 2, 3])
    start = rnd.randint(1, 5 - gap)
    return competency, start, start + gap


class History:
    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, int]] = Counter()
        self.closed: Counter[tuple[str, str, int]] = Counter()

    def add(self, competency: str, kind: str, gap: int, closed: bool) -> None:
        self.counts[competency, kind, gap] += 1
        self.closed[competency, kind, gap] += closed

    def outcomes(self) -> list[Outcomes]:
        return [
            Outcomes(c, k, g, n, self.closed[c, k, g], 90.0) for (c, k, g), n in self.counts.items()
        ]


def ndcg(relevances: Sequence[float], ideal: Sequence[float], k: int = 5) -> float:
    def dcg(values: Sequence[float]) -> float:
        return sum(v / math.log2(i + 2) for i, v in enumerate(values[:k]))

    best = dcg(sorted(ideal, reverse=True))
    return dcg(relevances) / best if best else 1.0


def run(seed: int, train: int, held_out: int, follow: float, refresh: int) -> dict[str, float]:
    rnd = random.Random(seed)
    entries = catalogue()
    history = History()
    outcomes = history.outcomes()
    for i in range(train):
        if i % refresh == 0:
            outcomes = history.outcomes()  # the platform reads its evidence now and then
        competency, start, end = goal(rnd)
        ranked = [e for e, _x in rank_with_evidence(entries, competency, start, end, outcomes)]
        if not ranked:
            continue
        chosen = ranked[0] if rnd.random() < follow else rnd.choice(ranked)
        gap = end - start
        history.add(
            competency, chosen.kind, gap, rnd.random() < truth(chosen.kind, competency, gap)
        )
    outcomes = history.outcomes()
    scores: dict[str, list[float]] = {
        f"{who} {what}": [] for who in ("rule", "evidence", "oracle") for what in ("top1", "ndcg")
    }
    for _ in range(held_out):
        competency, start, end = goal(rnd)
        gap = end - start
        by_rule = rank(entries, competency, start, end)
        if not by_rule:
            continue
        learned = [e for e, _x in rank_with_evidence(entries, competency, start, end, outcomes)]
        ideal = [truth(e.kind, competency, gap) for e in by_rule]
        for who, order in (
            ("rule", by_rule),
            ("evidence", learned),
            ("oracle", sorted(by_rule, key=lambda e: -truth(e.kind, competency, gap))),
        ):
            rel = [truth(e.kind, competency, gap) for e in order]
            scores[f"{who} top1"].append(rel[0])
            scores[f"{who} ndcg"].append(ndcg(rel, ideal))
    return {name: statistics.fmean(values) for name, values in scores.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--train", type=int, default=3000, help="goals in the history")
    parser.add_argument("--held-out", type=int, default=2000, help="held-out goals")
    parser.add_argument("--follow", type=float, default=0.7)
    parser.add_argument("--refresh", type=int, default=200)
    args = parser.parse_args()
    print(
        f"history {args.train} goals (first suggestion followed {args.follow:.0%}), "
        f"{args.held_out} held-out goals, {len(COMPETENCIES)} competencies"
    )
    for seed in (int(s) for s in args.seeds.split(",")):
        r = run(seed, args.train, args.held_out, args.follow, args.refresh)
        print(
            f"seed {seed}: top-1 closure rule {r['rule top1']:.3f}  evidence "
            f"{r['evidence top1']:.3f}  oracle {r['oracle top1']:.3f} "
            f"(x{r['evidence top1'] / r['rule top1']:.2f} of the rule);  NDCG@5 rule "
            f"{r['rule ndcg']:.3f}  evidence {r['evidence ndcg']:.3f}  oracle {r['oracle ndcg']:.3f}"
        )


if __name__ == "__main__":
    main()
