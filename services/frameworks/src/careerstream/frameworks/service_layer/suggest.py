"""Skills from text: the library skills a free text (a job description, an opportunity's
description, a person's account of their work) names, each with a score and its evidence.

A lexical model over the library, in the language's PostgreSQL text-search configuration
(stemmed: "reviewing code" names "review code"):

1. The text becomes lexemes with their positions.
2. Candidates: skills whose labels (preferred, synonyms, hidden) share a lexeme with the
   text, the `CANDIDATES` best by PostgreSQL's ranking.
3. Each label of a candidate scores by how much of it the text holds, weighing each
   lexeme by its rarity among the library's labels (inverse document frequency, as BM25
   does): coverage² x the matched weight, x 1.25 when the words stand together in the text
   (a phrase rather than scattered words), x 0.9 for a synonym rather than the preferred
   label, x 0.8 more when only the part outside its parenthesised qualifier matches
   ('Python' for 'Python (computer programming)'). A label counts only when the text holds at least `MIN_COVERAGE` of its weight;
   a one-word label, only whole.
4. The skill's description adds a little (a BM25-like sum over the lexemes the text and
   the description share, normalised by the description's length), so of two skills
   whose labels match alike, the one whose description fits the text ranks first.
5. The hierarchy smooths: a skill whose siblings in the ESCO hierarchy (skills under the
   same broader group) are found too gains 10% per sibling found, up to 30%: a text about
   programming that names Python and SQL makes each more credible than either alone.

The answer is a suggestion and changes nothing: a person accepts a skill by linking it to a
competency or requiring it of an opportunity. `Suggester` is the interface; an embedding
model could stand behind it (see SKILLS_LIBRARY.md), the lexical one needs no download.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import text

from careerstream.frameworks.adapters.orm import skill_library
from careerstream.frameworks.domain.esco import ATTRIBUTION, text_search_config
from careerstream.servicekit.uow import UnitOfWork

TEXT_MAX = 20_000
"""Characters of text read."""
TOKENS_MAX = 4_000
CANDIDATES = 400
MIN_COVERAGE = 0.6
PHRASE = 1.25
SYNONYM = 0.9
QUALIFIER = 0.8
"""A label matched without its parenthesised qualifier ('Python' for 'Python (computer
programming)') counts for this much of a synonym."""
DESCRIPTION = 0.25
SIBLING = 0.1
SIBLINGS_MAX = 3
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Suggestion:
    uri: str
    label: str
    score: float
    matched_label: str
    """The label (preferred or synonym) the text holds best."""
    matched_words: list[str]
    """The text's words that matched it, as written."""
    phrase: bool
    """The words stand together in the text."""
    siblings: list[str] = field(default_factory=list)
    """Skills under the same broader group also found (the hierarchy's evidence)."""


class Suggester(Protocol):
    async def suggest(
        self, u: UnitOfWork, tenant: str, body: str, *, lang: str, limit: int, exclude: set[str]
    ) -> list[Suggestion]: ...


@dataclass(frozen=True)
class _Label:
    text: str
    lexemes: frozenset[str]
    preferred: bool


_idf_cache: dict[tuple[str, str, str, int], dict[str, float]] = {}


async def _idf(u: UnitOfWork, tenant: str, lang: str) -> dict[str, float]:
    """Each label lexeme's inverse document frequency over the tenant's live skills (kept
    per process until the next import)."""
    imports = (
        await u.session.execute(
            sa.select(skill_library.c.imports).where(skill_library.c.tenant_id == tenant)
        )
    ).scalar_one_or_none()
    if imports is None:
        return {}
    key = (str(u.session.get_bind().engine.url), tenant, lang, int(imports))
    cached = _idf_cache.get(key)
    if cached is not None:
        return cached
    rows = (
        await u.session.execute(
            text(
                "SELECT word, ndoc, (SELECT count(*) FROM frameworks.skill_texts "
                "  WHERE tenant_id = :t AND lang = :lang AND kind = 'skill') AS n "
                "FROM ts_stat(format('SELECT label_document FROM frameworks.skill_texts "
                "  WHERE tenant_id = %L AND lang = %L AND kind = ''skill''', "
                "  CAST(:t AS text), CAST(:lang AS text)))"
            ),
            {"t": tenant, "lang": lang},
        )
    ).all()
    idf = {w: math.log(1 + (n - df + 0.5) / (df + 0.5)) for w, df, n in rows}
    for stale in [k for k in _idf_cache if k[:3] == key[:3]]:
        del _idf_cache[stale]
    _idf_cache[key] = idf
    return idf


def _window(positions: dict[str, list[int]], lexemes: frozenset[str]) -> int:
    """The fewest consecutive text positions holding every one of `lexemes` (all present)."""
    events = sorted((p, lx) for lx in lexemes for p in positions[lx])
    need, have, best, left = len(lexemes), dict[str, int](), 1 << 30, 0
    for p, lx in events:
        have[lx] = have.get(lx, 0) + 1
        while len(have) == need:
            best = min(best, p - events[left][0] + 1)
            gone = events[left][1]
            have[gone] -= 1
            if not have[gone]:
                del have[gone]
            left += 1
    return best


def score_label(
    label: _Label, positions: dict[str, list[int]], idf: dict[str, float]
) -> tuple[float, bool]:
    """A label's score against the text's lexeme positions (0 when it does not count), and
    whether its words stand together."""
    if not label.lexemes:
        return 0.0, False
    weight = {lx: idf.get(lx, 1.0) for lx in label.lexemes}
    matched = [lx for lx in label.lexemes if lx in positions]
    if not matched:
        return 0.0, False
    total = sum(weight.values())
    got = sum(weight[lx] for lx in matched)
    coverage = got / total if total else 0.0
    if (len(label.lexemes) == 1 and coverage < 1) or coverage < MIN_COVERAGE:
        return 0.0, False
    found = frozenset(matched)
    phrase = len(found) > 1 and _window(positions, found) <= len(label.lexemes) + 1
    score = coverage**2 * got * (PHRASE if phrase else 1.0) * (1.0 if label.preferred else SYNONYM)
    return score, phrase


class LexicalSuggester:
    """The default: labels, synonyms and descriptions, weighed by rarity (see the module)."""

    async def suggest(
        self, u: UnitOfWork, tenant: str, body: str, *, lang: str, limit: int, exclude: set[str]
    ) -> list[Suggestion]:
        config = text_search_config(lang)
        tokens = [m.group(0) for m in _WORD.finditer(body[:TEXT_MAX])][:TOKENS_MAX]
        distinct = list(dict.fromkeys(t.lower() for t in tokens))
        if not distinct:
            return []
        lexemes_of = {
            w: list(lx or [])
            for w, lx in (
                await u.session.execute(
                    text(
                        "SELECT w, tsvector_to_array(to_tsvector(CAST(:config AS regconfig), w)) "
                        "FROM unnest(CAST(:words AS text[])) AS w"
                    ),
                    {"config": config, "words": distinct},
                )
            ).all()
        }
        positions: dict[str, list[int]] = {}
        surface: dict[str, set[str]] = {}
        for i, token in enumerate(tokens):
            for lx in lexemes_of.get(token.lower(), []):
                positions.setdefault(lx, []).append(i)
                surface.setdefault(lx, set()).add(token)
        idf = await _idf(u, tenant, lang)
        wanted = sorted(lx for lx in positions if lx in idf)
        if not wanted:
            return []
        rows = (
            await u.session.execute(
                text(
                    "WITH q AS (SELECT CAST(string_agg(quote_literal(l), ' | ') AS tsquery) AS q "
                    "  FROM unnest(CAST(:lexemes AS text[])) AS l), "
                    "cand AS (SELECT t.uri, t.preferred, t.labels, t.document "
                    "  FROM frameworks.skill_texts t, q "
                    "  WHERE t.tenant_id = :t AND t.lang = :lang AND t.kind = 'skill' "
                    "  AND t.label_document @@ q.q AND NOT t.uri = ANY(CAST(:exclude AS text[])) "
                    "  ORDER BY ts_rank(t.label_document, q.q) DESC, t.uri LIMIT :n) "
                    "SELECT cand.uri, cand.preferred, c.broader, "
                    "  tsvector_to_array(cand.document) AS doc, "
                    "  array_agg(l.label ORDER BY l.n) AS labels, "
                    "  array_agg(array_to_string(tsvector_to_array(to_tsvector("
                    "    CAST(:config AS regconfig), l.label)), ' ') ORDER BY l.n) AS label_lexemes, "
                    # The label without its parenthesised qualifier: 'Python (computer
                    # programming)' is named by 'Python'.
                    "  array_agg(array_to_string(tsvector_to_array(to_tsvector("
                    "    CAST(:config AS regconfig), regexp_replace(l.label, '\\([^)]*\\)', '', 'g'))), "
                    "    ' ') ORDER BY l.n) AS bare_lexemes "
                    "FROM cand "
                    "JOIN frameworks.skill_concepts c ON c.tenant_id = :t AND c.uri = cand.uri, "
                    "unnest(string_to_array(cand.labels, ' | ')) WITH ORDINALITY AS l(label, n) "
                    "GROUP BY cand.uri, cand.preferred, c.broader, cand.document"
                ),
                {
                    "lexemes": wanted,
                    "t": tenant,
                    "lang": lang,
                    "exclude": sorted(exclude),
                    "n": CANDIDATES,
                    "config": config,
                },
            )
        ).all()
        return rank(rows, positions, surface, idf, limit)


def rank(
    rows: Any,
    positions: dict[str, list[int]],
    surface: dict[str, set[str]],
    idf: dict[str, float],
    limit: int,
) -> list[Suggestion]:
    """Candidates scored by their best label, their description and the hierarchy."""
    scored: dict[str, tuple[float, Any, _Label, bool]] = {}
    for r in rows:
        best: tuple[float, _Label | None, bool] = (0.0, None, False)
        for n, (label, lexemes, bare) in enumerate(
            zip(r.labels, r.label_lexemes, r.bare_lexemes, strict=True)
        ):
            item = _Label(label, frozenset(lexemes.split()), n == 0)
            s, phrase = score_label(item, positions, idf)
            if bare != lexemes and bare:
                short = _Label(label, frozenset(bare.split()), False)
                s_short, phrase_short = score_label(short, positions, idf)
                if s_short * QUALIFIER > s:
                    item, s, phrase = short, s_short * QUALIFIER, phrase_short
            if s > best[0]:
                best = (s, item, phrase)
        s, found, phrase = best
        if found is None:
            continue
        item = found
        doc = set(r.doc or ())
        shared = sum(idf.get(lx, 0.0) for lx in doc if lx in positions)
        s += DESCRIPTION * shared / math.sqrt(max(len(doc), 1))
        scored[r.uri] = (s, r, item, phrase)
    by_group: dict[str, set[str]] = {}
    for uri, (_s, r, _l, _p) in scored.items():
        for g in r.broader or ():
            by_group.setdefault(g, set()).add(uri)
    out = []
    for uri, (s, r, item, phrase) in scored.items():
        siblings = sorted(
            {x for g in r.broader or () for x in by_group.get(g, ()) if x != uri},
            key=lambda x: -scored[x][0],
        )
        s *= 1 + SIBLING * min(len(siblings), SIBLINGS_MAX)
        words = sorted(
            {w for lx in item.lexemes if lx in positions for w in surface.get(lx, ())},
            key=str.lower,
        )
        out.append(
            Suggestion(
                uri,
                r.preferred,
                round(s, 4),
                item.text,
                words,
                phrase,
                [scored[x][1].preferred for x in siblings[:SIBLINGS_MAX]],
            )
        )
    out.sort(key=lambda x: (-x.score, x.label))
    return out[:limit]


DEFAULT: Suggester = LexicalSuggester()


async def suggest(
    u: UnitOfWork,
    tenant: str,
    body: str,
    *,
    lang: str,
    limit: int,
    exclude: set[str] | None = None,
    suggester: Suggester = DEFAULT,
) -> dict[str, Any]:
    items = await suggester.suggest(
        u, tenant, body, lang=lang, limit=limit, exclude=exclude or set()
    )
    return {
        "lang": lang,
        "items": [
            {
                "uri": s.uri,
                "label": s.label,
                "score": s.score,
                "matched_label": s.matched_label,
                "matched_words": s.matched_words,
                "phrase": s.phrase,
                "siblings_found": s.siblings,
            }
            for s in items
        ],
        "attribution": ATTRIBUTION,
    }
