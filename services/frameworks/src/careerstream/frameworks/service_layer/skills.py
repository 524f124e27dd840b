"""The skills library: importing ESCO into a tenant's library, and searching and reading it.

An import replaces the library as a whole and reports what changed: concepts the new
version no longer holds are marked withdrawn, never deleted (a framework or an
opportunity that names one still finds it). Each skill and group added, changed or
withdrawn is published as `skill.changed` (its whole state), and the import's report
as `skilllibrary.imported`, through the outbox in the import's transaction: all of it
lands, or none of it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.events.frameworks import SkillChanged, SkillLabels, SkillLibraryImported
from careerstream.frameworks.adapters.orm import (
    occupation_skills,
    skill_concepts,
    skill_library,
    skill_library_imports,
    skill_texts,
    skill_words,
)
from careerstream.frameworks.domain.esco import (
    ATTRIBUTION,
    Concept,
    Library,
    changes,
    text_search_config,
)
from careerstream.servicekit import clock
from careerstream.servicekit.auth import Principal
from careerstream.servicekit.db import copy_records
from careerstream.servicekit.domain import NotFound
from careerstream.servicekit.uow import UnitOfWork

SOURCE = "esco"
LISTED = 1000
"""How many uris of each kind of change an import's report lists (the counts are exact)."""
KINDS = ("skill", "group", "occupation")


async def _copy(
    u: UnitOfWork, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """COPY rows into a temporary table of this transaction (asyncpg's binary COPY)."""
    await copy_records(u.session, table, columns, rows)


def _live(rows: Any) -> dict[str, str]:
    return {r.uri: r.fingerprint for r in rows if r.withdrawn_in is None}


@dataclass(frozen=True)
class ImportReport:
    number: int
    version: str
    languages: list[str]
    imported_at: datetime
    counts: dict[str, dict[str, int]]
    relations: dict[str, int]
    listed: dict[str, list[dict[str, str]]]
    frameworks: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "import_number": self.number,
            "version": self.version,
            "languages": self.languages,
            "imported_at": self.imported_at.isoformat(),
            "counts": self.counts,
            "relations": self.relations,
            "listed": self.listed,
            "listed_at_most": LISTED,
            "frameworks_using_withdrawn": self.frameworks,
        }


async def import_library(
    u: UnitOfWork, who: Principal, library: Library, version: str
) -> dict[str, Any]:
    """Make `library` the tenant's skills library; the report of what changed."""
    tenant = who.tenant_id
    now = clock.now()
    # One import at a time per tenant: a second waits for the first to commit.
    await u.session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('frameworks.skill_library:' || :t))"),
        {"t": tenant},
    )
    stored = (
        await u.session.execute(
            sa.select(
                skill_concepts.c.uri,
                skill_concepts.c.kind,
                skill_concepts.c.fingerprint,
                skill_concepts.c.withdrawn_in,
                skill_concepts.c.labels,
            ).where(skill_concepts.c.tenant_id == tenant)
        )
    ).all()
    kinds_before = {r.uri: r.kind for r in stored}
    labels_before = {r.uri: r.labels for r in stored}
    ch = changes(_live(stored), library)

    upserts = [library.concepts[uri] for uri in (*ch.added, *ch.changed)]
    if upserts:
        await _stage_and_upsert(u, tenant, upserts, version)
    if ch.withdrawn:
        await u.session.execute(
            sa.update(skill_concepts)
            .where(skill_concepts.c.tenant_id == tenant, skill_concepts.c.uri.in_(ch.withdrawn))
            .values(withdrawn_in=version, changed_in=version)
        )
    touched = [*ch.changed, *ch.withdrawn]
    if touched:
        await u.session.execute(
            sa.delete(skill_texts).where(
                skill_texts.c.tenant_id == tenant, skill_texts.c.uri.in_(touched)
            )
        )
    if upserts:
        await _write_texts(u, tenant, upserts)
    if upserts or touched:
        await _rebuild_words(u, tenant)
    relations = await _replace_relations(u, tenant, library)

    counts = {kind: {"added": 0, "changed": 0, "withdrawn": 0, "unchanged": 0} for kind in KINDS}
    for uri in ch.added:
        counts[library.concepts[uri].kind]["added"] += 1
    for uri in ch.changed:
        counts[library.concepts[uri].kind]["changed"] += 1
    for uri in ch.withdrawn:
        counts[kinds_before[uri]]["withdrawn"] += 1
    for kind in KINDS:
        total = library.count(kind)
        counts[kind]["unchanged"] = total - counts[kind]["added"] - counts[kind]["changed"]

    def listed(uris: list[str], source: Any) -> list[dict[str, str]]:
        out = []
        for uri in uris[:LISTED]:
            out.append({"uri": uri, **source(uri)})
        return out

    def from_library(uri: str) -> dict[str, str]:
        c = library.concepts[uri]
        return {"kind": c.kind, "label": c.label("en")}

    def from_before(uri: str) -> dict[str, str]:
        return {"kind": kinds_before[uri], "label": preferred_label(labels_before[uri], uri)}

    number = (
        await u.session.execute(
            sa.select(sa.func.coalesce(sa.func.max(skill_library_imports.c.number), 0)).where(
                skill_library_imports.c.tenant_id == tenant
            )
        )
    ).scalar_one() + 1
    report = ImportReport(
        number=number,
        version=version,
        languages=library.languages,
        imported_at=now,
        counts=counts,
        relations=relations,
        listed={
            "added": listed(ch.added, from_library),
            "changed": listed(ch.changed, from_library),
            "withdrawn": listed(ch.withdrawn, from_before),
        },
        frameworks=await frameworks_using(u, tenant, ch.withdrawn),
    ).as_json()
    await u.session.execute(
        sa.insert(skill_library_imports).values(
            tenant_id=tenant,
            number=number,
            version=version,
            languages=library.languages,
            imported_at=now,
            imported_by=who.subject,
            report=report,
        )
    )
    values = {
        "source": SOURCE,
        "version": version,
        "languages": library.languages,
        "imports": number,
        "imported_at": now,
        "imported_by": who.subject,
    }
    await u.session.execute(
        pg_insert(skill_library)
        .values(tenant_id=tenant, **values)
        .on_conflict_do_update(index_elements=["tenant_id"], set_=values)
    )

    for concept in upserts:
        if concept.kind != "occupation":
            u.publish(_skill_event(concept, "released", version, now), tenant_id=tenant)
    for uri in ch.withdrawn:
        if kinds_before[uri] != "occupation":
            u.publish(
                _withdrawn_event(uri, kinds_before[uri], labels_before[uri], version, now),
                tenant_id=tenant,
            )
    if upserts or touched:
        # The planner's statistics, for the searches that follow (a first import fills
        # empty tables).
        await u.session.execute(
            text(
                "ANALYZE frameworks.skill_texts, frameworks.skill_words, frameworks.skill_concepts"
            )
        )
    skills_and_groups = [counts["skill"], counts["group"]]
    u.publish(
        SkillLibraryImported(
            library_id=SOURCE,
            version=version,
            languages=library.languages,
            import_number=number,
            added=sum(c["added"] for c in skills_and_groups),
            changed=sum(c["changed"] for c in skills_and_groups),
            withdrawn=sum(c["withdrawn"] for c in skills_and_groups),
            unchanged=sum(c["unchanged"] for c in skills_and_groups),
            imported_at=now,
        ),
        tenant_id=tenant,
    )
    return report


async def frameworks_using(u: UnitOfWork, tenant: str, uris: list[str]) -> list[dict[str, Any]]:
    """Every draft and published version whose competencies link one of `uris`: what a
    re-import that withdrew them names."""
    if not uris:
        return []
    rows = (
        await u.session.execute(
            text(
                "SELECT v.framework_id, v.version, v.status, c ->> 'id' AS competency_id, "
                "s ->> 'uri' AS uri, s ->> 'label' AS label "
                "FROM frameworks.framework_versions v, "
                "jsonb_array_elements(v.document -> 'competencies') c, "
                "jsonb_array_elements(coalesce(c -> 'skills', '[]'::jsonb)) s "
                "WHERE v.tenant_id = :t AND v.status IN ('draft', 'published') "
                "AND s ->> 'uri' = ANY(:uris) "
                "ORDER BY v.framework_id, v.version, competency_id, uri"
            ),
            {"t": tenant, "uris": uris},
        )
    ).all()
    return [
        {
            "framework_id": r.framework_id,
            "version": r.version,
            "status": r.status,
            "competency_id": r.competency_id,
            "skill_uri": r.uri,
            "label": r.label or "",
        }
        for r in rows
    ]


def _skill_event(concept: Concept, status: str, version: str, now: datetime) -> SkillChanged:
    return SkillChanged(
        skill_uri=concept.uri,
        kind=concept.kind,
        skill_type=concept.skill_type,
        reuse_level=concept.reuse_level,
        status=status if concept.status == "released" else concept.status,
        labels={
            lang: SkillLabels(
                preferred=labels.preferred,
                alternative=labels.alternative,
                description=labels.description,
            )
            for lang, labels in sorted(concept.labels.items())
        },
        broader=concept.broader,
        library_version=version,
        changed_at=now,
    )


def _withdrawn_event(
    uri: str, kind: str, labels: dict[str, Any], version: str, now: datetime
) -> SkillChanged:
    return SkillChanged(
        skill_uri=uri,
        kind=kind,
        status="withdrawn",
        labels={
            lang: SkillLabels(
                preferred=v.get("preferred", uri),
                alternative=v.get("alternative", []),
                description=v.get("description", ""),
            )
            for lang, v in sorted(labels.items())
        },
        library_version=version,
        changed_at=now,
    )


async def _stage_and_upsert(
    u: UnitOfWork, tenant: str, concepts: list[Concept], version: str
) -> None:
    await u.session.execute(
        text(
            "CREATE TEMP TABLE stage_concepts (uri text, kind text, skill_type text, "
            "reuse_level text, code text, status text, labels text, broader text[], "
            "fingerprint text) ON COMMIT DROP"
        )
    )
    await _copy(
        u,
        "stage_concepts",
        (
            "uri",
            "kind",
            "skill_type",
            "reuse_level",
            "code",
            "status",
            "labels",
            "broader",
            "fingerprint",
        ),
        [
            (
                c.uri,
                c.kind,
                c.skill_type,
                c.reuse_level,
                c.code,
                c.status,
                json.dumps({lang: v.as_json() for lang, v in c.labels.items()}),
                c.broader,
                c.fingerprint(),
            )
            for c in concepts
        ],
    )
    await u.session.execute(
        text(
            "INSERT INTO frameworks.skill_concepts AS s (tenant_id, uri, kind, skill_type, "
            "reuse_level, code, status, labels, broader, fingerprint, added_in, changed_in, "
            "withdrawn_in) "
            "SELECT :t, uri, kind, skill_type, reuse_level, code, status, labels::jsonb, broader, "
            "fingerprint, :v, :v, NULL FROM stage_concepts "
            "ON CONFLICT (tenant_id, uri) DO UPDATE SET kind = excluded.kind, "
            "skill_type = excluded.skill_type, reuse_level = excluded.reuse_level, "
            "code = excluded.code, status = excluded.status, labels = excluded.labels, "
            "broader = excluded.broader, fingerprint = excluded.fingerprint, "
            "changed_in = excluded.changed_in, withdrawn_in = NULL, "
            # Back after being withdrawn: added again by this version.
            "added_in = CASE WHEN s.withdrawn_in IS NULL THEN s.added_in ELSE excluded.added_in END"
        ),
        {"t": tenant, "v": version},
    )


def _label_text(concept: Concept, lang: str) -> str:
    labels = concept.labels[lang]
    return " | ".join(
        dict.fromkeys(x.lower() for x in (labels.preferred, *labels.alternative, *labels.hidden))
    )


async def _write_texts(u: UnitOfWork, tenant: str, concepts: list[Concept]) -> None:
    await u.session.execute(
        text(
            "CREATE TEMP TABLE stage_texts (uri text, lang text, kind text, config text, "
            "preferred text, others text, description text, labels text) ON COMMIT DROP"
        )
    )
    rows = []
    for c in concepts:
        for lang, labels in c.labels.items():
            rows.append(
                (
                    c.uri,
                    lang,
                    c.kind,
                    text_search_config(lang),
                    labels.preferred,
                    " ; ".join((*labels.alternative, *labels.hidden)),
                    labels.description,
                    _label_text(c, lang),
                )
            )
    await _copy(
        u,
        "stage_texts",
        ("uri", "lang", "kind", "config", "preferred", "others", "description", "labels"),
        rows,
    )
    # Preferred labels weigh most (A), synonyms next (B), the description least (D).
    await u.session.execute(
        text(
            "INSERT INTO frameworks.skill_texts (tenant_id, uri, lang, kind, preferred, labels, "
            "document, label_document) SELECT :t, uri, lang, kind, preferred, labels, "
            "l.v || setweight(to_tsvector(config::regconfig, description), 'D'), l.v "
            "FROM stage_texts, LATERAL (SELECT "
            "setweight(to_tsvector(config::regconfig, preferred), 'A') || "
            "setweight(to_tsvector(config::regconfig, others), 'B') AS v) l"
        ),
        {"t": tenant},
    )


async def _rebuild_words(u: UnitOfWork, tenant: str) -> None:
    """The words of every live label, per language (what misspelt query words become)."""
    await u.session.execute(sa.delete(skill_words).where(skill_words.c.tenant_id == tenant))
    words: set[tuple[str, str]] = set()
    for lang, labels in (
        await u.session.execute(
            sa.select(skill_texts.c.lang, skill_texts.c.labels).where(
                skill_texts.c.tenant_id == tenant
            )
        )
    ).all():
        words.update((lang, w) for w in _WORD.findall(labels) if len(w) >= 2)
    await u.session.execute(
        text("CREATE TEMP TABLE stage_words (lang text, word text) ON COMMIT DROP")
    )
    await _copy(u, "stage_words", ("lang", "word"), sorted(words))
    await u.session.execute(
        text(
            "INSERT INTO frameworks.skill_words (tenant_id, lang, word) "
            "SELECT :t, lang, word FROM stage_words"
        ),
        {"t": tenant},
    )


async def _replace_relations(u: UnitOfWork, tenant: str, library: Library) -> dict[str, int]:
    """Make the stored occupation-skill relations the library's, writing only what differs."""
    stored = {
        (r.occupation_uri, r.skill_uri): r.relation
        for r in (
            await u.session.execute(
                sa.select(
                    occupation_skills.c.occupation_uri,
                    occupation_skills.c.skill_uri,
                    occupation_skills.c.relation,
                ).where(occupation_skills.c.tenant_id == tenant)
            )
        ).all()
    }
    gone = [key for key in stored if key not in library.relations]
    new = [key for key, kind in library.relations.items() if stored.get(key) is None]
    changed = [
        key for key, kind in library.relations.items() if stored.get(key) not in (None, kind)
    ]
    if gone:
        await u.session.execute(
            text(
                "CREATE TEMP TABLE stage_gone (occupation_uri text, skill_uri text) ON COMMIT DROP"
            )
        )
        await _copy(u, "stage_gone", ("occupation_uri", "skill_uri"), gone)
        await u.session.execute(
            text(
                "DELETE FROM frameworks.occupation_skills r USING stage_gone g "
                "WHERE r.tenant_id = :t AND r.occupation_uri = g.occupation_uri "
                "AND r.skill_uri = g.skill_uri"
            ),
            {"t": tenant},
        )
    if new or changed:
        await u.session.execute(
            text(
                "CREATE TEMP TABLE stage_relations (occupation_uri text, skill_uri text, "
                "relation text) ON COMMIT DROP"
            )
        )
        await _copy(
            u,
            "stage_relations",
            ("occupation_uri", "skill_uri", "relation"),
            [(occ, skill, library.relations[occ, skill]) for occ, skill in (*new, *changed)],
        )
        await u.session.execute(
            text(
                "INSERT INTO frameworks.occupation_skills (tenant_id, occupation_uri, skill_uri, "
                "relation) SELECT :t, occupation_uri, skill_uri, relation FROM stage_relations "
                "ON CONFLICT (tenant_id, occupation_uri, skill_uri) "
                "DO UPDATE SET relation = excluded.relation"
            ),
            {"t": tenant},
        )
    return {
        "total": len(library.relations),
        "added": len(new),
        "changed": len(changed),
        "removed": len(gone),
    }


# -- reading ---------------------------------------------------------------------------------


async def library_row(u: UnitOfWork, tenant: str) -> Any:
    """The tenant's library row (version, languages); 404 when it has imported none."""
    row = (
        await u.session.execute(sa.select(skill_library).where(skill_library.c.tenant_id == tenant))
    ).first()
    if row is None:
        raise NotFound(
            "this company has no skills library yet: an hr_admin imports ESCO's CSV download "
            "with POST /v1/skill-library/imports"
        )
    return row


async def library_info(u: UnitOfWork, tenant: str) -> dict[str, Any]:
    row = await library_row(u, tenant)
    totals = {
        kind: n
        for kind, n in (
            await u.session.execute(
                sa.select(skill_concepts.c.kind, sa.func.count())
                .where(
                    skill_concepts.c.tenant_id == tenant, skill_concepts.c.withdrawn_in.is_(None)
                )
                .group_by(skill_concepts.c.kind)
            )
        ).all()
    }
    return {
        "source": row.source,
        "version": row.version,
        "languages": row.languages,
        "imports": row.imports,
        "imported_at": row.imported_at,
        "skills": totals.get("skill", 0),
        "groups": totals.get("group", 0),
        "occupations": totals.get("occupation", 0),
        "attribution": ATTRIBUTION,
    }


async def import_report(u: UnitOfWork, tenant: str, number: int) -> dict[str, Any]:
    row = (
        await u.session.execute(
            sa.select(skill_library_imports.c.report).where(
                skill_library_imports.c.tenant_id == tenant,
                skill_library_imports.c.number == number,
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"no skills library import {number}")
    report: dict[str, Any] = row.report
    return report


_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8
"""Query words read (a longer query is a text to infer skills from, not a search)."""
SPELLING = 0.4
"""Trigram similarity a library word needs to stand in for a query word it does not hold."""
ALTERNATIVES = 3
"""Library words tried for each misspelt query word."""


def query_words(query: str) -> list[str]:
    return list(dict.fromkeys(w.lower() for w in _WORD.findall(query)))[:MAX_WORDS]


def matched_words(words: set[str], labels: str) -> tuple[str, list[str]]:
    """The label that shares most words with the query (corrections included), and those words."""
    best, best_words = "", list[str]()
    for label in labels.split(" | "):
        shared = [w for w in _WORD.findall(label) if w.lower() in words or _prefix(w, words)]
        if len(shared) > len(best_words):
            best, best_words = label, shared
    return best, best_words


def _prefix(word: str, words: set[str]) -> bool:
    w = word.lower()
    return len(w) >= 4 and any(len(q) >= 4 and (w.startswith(q) or q.startswith(w)) for q in words)


async def _spellings(
    u: UnitOfWork, tenant: str, lang: str, words: list[str]
) -> dict[str, list[str]]:
    """Each query word with the library words it may stand for: itself when the labels hold
    it, else the closest by trigram similarity (misspellings: 'sofware' -> 'software')."""
    known = set(
        (
            await u.session.execute(
                text(
                    "SELECT word FROM frameworks.skill_words WHERE tenant_id = :t "
                    "AND lang = :lang AND word = ANY(CAST(:words AS text[]))"
                ),
                {"t": tenant, "lang": lang, "words": words},
            )
        )
        .scalars()
        .all()
    )
    out: dict[str, list[str]] = {w: [w] if w in known else [] for w in words}
    unknown = [w for w in words if w not in known]
    if unknown:
        # The nearest words by trigram distance, straight from the GiST index.
        rows = (
            await u.session.execute(
                text(
                    "SELECT q.w, s.word, s.distance FROM unnest(CAST(:words AS text[])) AS q(w) "
                    "CROSS JOIN LATERAL (SELECT word, word <-> q.w AS distance "
                    "  FROM frameworks.skill_words WHERE tenant_id = :t AND lang = :lang "
                    "  ORDER BY word <-> q.w LIMIT :n) s"
                ),
                {"words": unknown, "t": tenant, "lang": lang, "n": ALTERNATIVES},
            )
        ).all()
        for w, alternative, distance in rows:
            if 1 - distance >= SPELLING:
                out[w].append(alternative)
    return out


def _tsquery(spellings: dict[str, list[str]], joiner: str) -> tuple[str, dict[str, Any]]:
    """A tsquery expression: each word (or any of its spellings), all words (`&&`) or any (`||`).

    Each word goes through plainto_tsquery, so nothing a user types is tsquery syntax.
    """
    parts, params = [], {}
    for i, (word, alternatives) in enumerate(spellings.items()):
        terms = []
        for j, term in enumerate(alternatives or [word]):
            params[f"w{i}_{j}"] = term
            terms.append(f"plainto_tsquery(CAST(:config AS regconfig), :w{i}_{j})")
        parts.append("(" + " || ".join(terms) + ")")
    return f" {joiner} ".join(parts), params


async def search(
    u: UnitOfWork,
    tenant: str,
    query: str,
    *,
    lang: str,
    kinds: tuple[str, ...],
    limit: int,
) -> list[dict[str, Any]]:
    """Concepts whose labels or description match `query`, best first.

    PostgreSQL full-text search in the language's configuration (stemmed: 'coaching'
    finds 'coach'), preferred labels weighing most, synonyms next, descriptions least.
    A query word no label holds is taken as misspelt and stands for the library words
    closest to it by trigrams ('debuging sofware' finds 'debug software'). Concepts
    holding every word are the answer; only when there are none, those whose labels hold
    some of the words (`all_words` false).
    """
    words = query_words(query)
    if not words:
        return []
    spellings = await _spellings(u, tenant, lang, words)
    found: dict[str, Any] = {}
    for joiner in ("&&", "||"):
        if joiner == "||" and (found or len(words) == 1):
            break
        expression, params = _tsquery(spellings, joiner)
        # Some of the words: only where a label holds them (the description would bring in
        # thousands of concepts that merely mention one of them).
        vector = "document" if joiner == "&&" else "label_document"
        # Cover density (words near each other) ranks all-word matches; plain frequency is
        # cheaper for the many some-word ones.
        rank = "ts_rank_cd" if joiner == "&&" else "ts_rank"
        rows = (
            await u.session.execute(
                text(
                    "SELECT t.uri, t.kind, t.preferred, t.labels, "
                    f"{rank}(t.{vector}, query.q, 32) AS rank "
                    f"FROM frameworks.skill_texts t, (SELECT {expression} AS q) AS query "
                    "WHERE t.tenant_id = :t AND t.lang = :lang AND t.kind = ANY(:kinds) "
                    f"AND t.{vector} @@ query.q AND NOT t.uri = ANY(:seen) "
                    "ORDER BY (lower(t.preferred) = lower(:raw)) DESC, rank DESC, "
                    "length(t.preferred), t.uri LIMIT :n"
                ),
                {
                    **params,
                    "config": text_search_config(lang),
                    "t": tenant,
                    "lang": lang,
                    "kinds": list(kinds),
                    "seen": list(found),
                    "raw": query.strip(),
                    "n": limit - len(found),
                },
            )
        ).all()
        all_words = joiner == "&&"
        for r in rows:
            found[r.uri] = (r, all_words)
    if not found:
        return []
    details = {
        r.uri: r
        for r in (
            await u.session.execute(
                sa.select(
                    skill_concepts.c.uri,
                    skill_concepts.c.skill_type,
                    skill_concepts.c.reuse_level,
                ).where(
                    skill_concepts.c.tenant_id == tenant,
                    skill_concepts.c.uri.in_(list(found)),
                )
            )
        ).all()
    }
    vocabulary = {w for alternatives in spellings.values() for w in alternatives} | set(words)
    corrected = {w: alts for w, alts in spellings.items() if alts and alts != [w]}
    out = []
    for r, all_words in found.values():
        label, matched = matched_words(vocabulary, r.labels)
        out.append(
            {
                "uri": r.uri,
                "kind": r.kind,
                "label": r.preferred,
                "skill_type": details[r.uri].skill_type,
                "reuse_level": details[r.uri].reuse_level,
                "score": round(float(r.rank), 4),
                "all_words": all_words,
                "matched_label": label if label != r.preferred.lower() else "",
                "matched_words": matched,
                "spelling": corrected,
            }
        )
    return out


async def concept(u: UnitOfWork, tenant: str, uri: str, kind: str) -> dict[str, Any]:
    """One skill, group or occupation: labels, hierarchy, and its occupations or skills."""
    kinds = ("skill", "group") if kind == "skill" else ("occupation",)
    row = (
        await u.session.execute(
            sa.select(skill_concepts).where(
                skill_concepts.c.tenant_id == tenant,
                skill_concepts.c.uri == uri,
                skill_concepts.c.kind.in_(kinds),
            )
        )
    ).first()
    if row is None:
        noun = "skill" if kind == "skill" else "occupation"
        raise NotFound(f"the skills library holds no {noun} {uri}")
    out: dict[str, Any] = {
        "uri": row.uri,
        "kind": row.kind,
        "skill_type": row.skill_type,
        "reuse_level": row.reuse_level,
        "code": row.code,
        "status": "withdrawn" if row.withdrawn_in else row.status,
        "labels": row.labels,
        "added_in": row.added_in,
        "changed_in": row.changed_in,
        "withdrawn_in": row.withdrawn_in,
    }
    if kind == "skill":
        narrower = (
            await u.session.execute(
                sa.select(skill_concepts.c.uri, skill_concepts.c.labels).where(
                    skill_concepts.c.tenant_id == tenant,
                    sa.literal(uri) == sa.any_(skill_concepts.c.broader),
                    skill_concepts.c.withdrawn_in.is_(None),
                )
            )
        ).all()
        broader = (
            await u.session.execute(
                sa.select(skill_concepts.c.uri, skill_concepts.c.labels).where(
                    skill_concepts.c.tenant_id == tenant,
                    skill_concepts.c.uri.in_(row.broader),
                )
            )
        ).all()
        out["broader"] = [_brief(r) for r in broader]
        out["narrower"] = sorted((_brief(r) for r in narrower), key=lambda b: b["label"])
        out["occupations"] = await _related(u, tenant, "skill_uri", "occupation_uri", uri)
    else:
        out["skills"] = await _related(u, tenant, "occupation_uri", "skill_uri", uri)
    out["attribution"] = ATTRIBUTION
    return out


def preferred_label(labels: dict[str, Any] | None, default: str, lang: str = "en") -> str:
    """A stored concept's preferred label in `lang`, else in any language it has."""
    if not labels:
        return default
    names: dict[str, Any] = labels.get(lang) or next(iter(labels.values()))
    return str(names.get("preferred", default))


def _brief(r: Any) -> dict[str, str]:
    return {"uri": r.uri, "label": preferred_label(r.labels, r.uri)}


async def _related(
    u: UnitOfWork, tenant: str, by: str, other: str, uri: str
) -> dict[str, list[dict[str, str]]]:
    rel = occupation_skills
    rows = (
        await u.session.execute(
            sa.select(rel.c[other].label("uri"), rel.c.relation, skill_concepts.c.labels)
            .join(
                skill_concepts,
                sa.and_(
                    skill_concepts.c.tenant_id == rel.c.tenant_id,
                    skill_concepts.c.uri == rel.c[other],
                ),
            )
            .where(rel.c.tenant_id == tenant, rel.c[by] == uri)
        )
    ).all()
    out: dict[str, list[dict[str, str]]] = {"essential": [], "optional": []}
    for r in rows:
        out[r.relation].append(_brief(r))
    for items in out.values():
        items.sort(key=lambda b: b["label"])
    return out
