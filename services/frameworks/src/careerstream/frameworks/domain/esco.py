"""ESCO's CSV download, read into a skills library (pure: files in, a `Library` out).

ESCO (European Skills, Competences, Qualifications and Occupations) publishes its
classification as one ZIP of CSV files per language: `skills_<lang>.csv`,
`skillGroups_<lang>.csv`, `occupations_<lang>.csv`, `occupationSkillRelations_<lang>.csv`
and `broaderRelationsSkillPillar_<lang>.csv`, among others (which are ignored). Columns
are read by their header names, so files of ESCO 1.0 to 1.2 (which added columns) read
alike. Alternative and hidden labels are newline-separated within a field, as ESCO
writes them.

Every problem is reported with its file, line and column, and nothing is read at all
if any file is wrong.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from careerstream.servicekit.domain import Invalid

ATTRIBUTION = (
    "This service uses the ESCO classification of the European Commission. "
    "ESCO is available at https://esco.ec.europa.eu under the European Commission's "
    "reuse policy (CC BY 4.0)."
)
"""What ESCO's terms ask a service built on it to say."""

_FILE = re.compile(
    r"(?:^|/)(skills|skillGroups|occupations|occupationSkillRelations|broaderRelationsSkillPillar)"
    r"_([a-z]{2,3}(?:-[A-Za-z]{2,4})?)\.csv$"
)
MAX_FIELD = 100_000
"""The longest field read (ESCO's longest descriptions are a few thousand characters)."""
MAX_PROBLEMS = 20

SKILL_TYPES = {
    "skill/competence": "skill",
    "knowledge": "knowledge",
    "language": "language",
    "": "",
}
RELATION_TYPES = frozenset({"essential", "optional"})


@dataclass
class Labels:
    """A concept's names in one language."""

    preferred: str
    alternative: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    description: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "preferred": self.preferred,
            "alternative": self.alternative,
            "hidden": self.hidden,
            "description": self.description,
        }


@dataclass
class Concept:
    """A skill, a skill group or an occupation, in every language the download holds."""

    uri: str
    kind: str
    """`skill`, `group` or `occupation`."""
    skill_type: str = ""
    """Skills: `skill` (ESCO's skill/competence), `knowledge` or `language`; else empty."""
    reuse_level: str = ""
    """Skills: `transversal`, `cross-sector`, `sector-specific` or `occupation-specific`."""
    code: str = ""
    """Occupations: their ESCO code (ISCO group and position)."""
    status: str = "released"
    labels: dict[str, Labels] = field(default_factory=dict)
    broader: list[str] = field(default_factory=list)
    """The skills or groups this one sits under (the ESCO skills hierarchy)."""

    def fingerprint(self) -> str:
        """What a re-import compares: equal fingerprints, nothing changed."""
        doc = {
            "kind": self.kind,
            "skill_type": self.skill_type,
            "reuse_level": self.reuse_level,
            "code": self.code,
            "status": self.status,
            "labels": {lang: self.labels[lang].as_json() for lang in sorted(self.labels)},
            "broader": sorted(self.broader),
        }
        raw = json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(raw).hexdigest()[:32]

    def label(self, lang: str) -> str:
        """The preferred label in `lang`, else in English, else in any language."""
        for candidate in (lang, "en", *sorted(self.labels)):
            if candidate in self.labels:
                return self.labels[candidate].preferred
        return self.uri


@dataclass
class Library:
    """One ESCO download: its concepts and how occupations relate to skills."""

    languages: list[str]
    concepts: dict[str, Concept]
    relations: dict[tuple[str, str], str]
    """(occupation uri, skill uri) -> `essential` or `optional`."""

    def count(self, kind: str) -> int:
        return sum(1 for c in self.concepts.values() if c.kind == kind)


class _Problems:
    """Every problem of the files, each as a message and as an object (file, line, field)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.errors: list[dict[str, object]] = []

    def add(self, where: str, what: str) -> None:
        if len(self.items) >= MAX_PROBLEMS:
            return
        self.items.append(f"{where}: {what}")
        name, _, line = where.partition(":")
        error: dict[str, object] = {"file": name, "message": f"{where}: {what}"}
        if line.isdigit():
            error["line"] = int(line)
        column, sep, _rest = what.partition(": ")
        if sep and column.isidentifier():
            error["field"] = column
        self.errors.append(error)

    def raise_any(self) -> None:
        if self.items:
            raise Invalid(self.items, title="Invalid ESCO download", errors=self.errors)


def files_of_zip(data: bytes) -> dict[str, bytes]:
    """The ESCO CSV files of a ZIP (by their name inside it); 422 when it is not a ZIP."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {
                info.filename: z.read(info)
                for info in z.infolist()
                if not info.is_dir() and _FILE.search(info.filename)
            }
    except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError) as e:
        raise Invalid([f"body: not a readable ZIP file ({e})"]) from None


def files_of_folder(folder: Path) -> dict[str, bytes]:
    """The ESCO CSV files of an unpacked download."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*.csv"))
        if _FILE.search(str(p.relative_to(folder)))
    }


def _rows(
    name: str, data: bytes, needs: Iterable[str], problems: _Problems
) -> Iterator[tuple[int, Mapping[str, str]]]:
    """The rows of one CSV file with their line numbers; problems for a bad header or encoding."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        problems.add(name, f"not UTF-8 (byte {e.start})")
        return
    csv.field_size_limit(MAX_FIELD)
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as e:
        problems.add(f"{name}:1", f"not CSV ({e})")
        return
    missing = [column for column in needs if column not in header]
    if missing:
        problems.add(f"{name}:1", f"missing column(s) {', '.join(missing)}")
        return
    # A record's line is where it starts (a quoted field may span lines).
    start = reader.line_num + 1
    try:
        for row in reader:
            if None in row:
                problems.add(f"{name}:{start}", "more fields than the header names")
            else:
                yield start, {k: (v or "") for k, v in row.items()}
            start = reader.line_num + 1
    except csv.Error as e:
        problems.add(f"{name}:{start}", f"not CSV ({e})")


def _lines(value: str) -> list[str]:
    seen: dict[str, None] = {}
    for part in value.splitlines():
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


def _uri(value: str) -> bool:
    return value.startswith(("http://", "https://")) and 10 < len(value) <= 300 and " " not in value


def read(files: Mapping[str, bytes]) -> Library:
    """The library the files describe; `Invalid` naming every problem (file:line: what)."""
    problems = _Problems()
    by_kind: dict[str, dict[str, tuple[str, bytes]]] = {}
    for name, data in files.items():
        match = _FILE.search(name)
        if match:
            by_kind.setdefault(match.group(1), {})[match.group(2)] = (name, data)
    if "skills" not in by_kind:
        raise Invalid(
            [
                "body: no skills_<language>.csv file (expected ESCO's CSV download: "
                "skills_en.csv, occupations_en.csv, occupationSkillRelations_en.csv, ...)"
            ]
        )
    languages = sorted(by_kind["skills"])
    concepts: dict[str, Concept] = {}

    def labelled(kind: str, needs: tuple[str, ...]) -> None:
        for lang, (name, data) in sorted(by_kind.get(kind, {}).items()):
            for line, row in _rows(name, data, needs, problems):
                uri = row["conceptUri"].strip()
                where = f"{name}:{line}"
                if not _uri(uri):
                    problems.add(where, f"conceptUri: not a URI ({uri[:60]!r})")
                    continue
                preferred = row["preferredLabel"].strip()
                if not preferred:
                    problems.add(where, "preferredLabel: empty")
                    continue
                concept_kind = {"skills": "skill", "skillGroups": "group"}.get(kind, "occupation")
                concept = concepts.get(uri)
                if concept is None:
                    concept = concepts[uri] = Concept(uri=uri, kind=concept_kind)
                elif concept.kind != concept_kind:
                    problems.add(where, f"conceptUri: {uri} is already a {concept.kind}")
                    continue
                if kind == "skills":
                    raw_type = row.get("skillType", "").strip()
                    if raw_type not in SKILL_TYPES:
                        problems.add(where, f"skillType: unknown ({raw_type[:40]!r})")
                        continue
                    concept.skill_type = SKILL_TYPES[raw_type]
                    concept.reuse_level = row.get("reuseLevel", "").strip()
                if kind == "occupations":
                    concept.code = row.get("code", "").strip()
                concept.status = row.get("status", "").strip() or "released"
                concept.labels[lang] = Labels(
                    preferred=preferred,
                    alternative=[a for a in _lines(row.get("altLabels", "")) if a != preferred],
                    hidden=_lines(row.get("hiddenLabels", "")),
                    description=(row.get("description") or row.get("definition") or "").strip(),
                )

    base = ("conceptUri", "preferredLabel")
    labelled("skills", (*base, "skillType"))
    labelled("skillGroups", base)
    labelled("occupations", base)

    relations: dict[tuple[str, str], str] = {}
    # The relation files are the same in every language: the first one is read.
    for _lang, (name, data) in sorted(by_kind.get("occupationSkillRelations", {}).items())[:1]:
        for line, row in _rows(name, data, ("occupationUri", "relationType", "skillUri"), problems):
            occ, skill = row["occupationUri"].strip(), row["skillUri"].strip()
            kind = row["relationType"].strip().lower()
            where = f"{name}:{line}"
            if kind not in RELATION_TYPES:
                problems.add(where, f"relationType: expected essential or optional, got {kind!r}")
            elif occ not in concepts or concepts[occ].kind != "occupation":
                problems.add(where, f"occupationUri: no such occupation ({occ[:80]})")
            elif skill not in concepts or concepts[skill].kind != "skill":
                problems.add(where, f"skillUri: no such skill ({skill[:80]})")
            elif relations.get((occ, skill)) != "essential":
                relations[occ, skill] = kind
    for _lang, (name, data) in sorted(by_kind.get("broaderRelationsSkillPillar", {}).items())[:1]:
        for line, row in _rows(name, data, ("conceptUri", "broaderUri"), problems):
            child, parent = row["conceptUri"].strip(), row["broaderUri"].strip()
            where = f"{name}:{line}"
            if child not in concepts or concepts[child].kind == "occupation":
                problems.add(where, f"conceptUri: no such skill or group ({child[:80]})")
            elif parent not in concepts or concepts[parent].kind == "occupation":
                problems.add(where, f"broaderUri: no such skill or group ({parent[:80]})")
            elif parent not in concepts[child].broader:
                concepts[child].broader.append(parent)
    problems.raise_any()
    return Library(languages=languages, concepts=concepts, relations=relations)


@dataclass(frozen=True)
class Changes:
    """What a re-import changes, by concept uri."""

    added: list[str]
    changed: list[str]
    withdrawn: list[str]
    """In the library before, not in this download: kept, marked withdrawn, never deleted."""
    unchanged: int


def changes(before: Mapping[str, str], after: Library) -> Changes:
    """Compare the stored fingerprints (uri -> fingerprint, live concepts only) with a download."""
    added, changed = [], []
    unchanged = 0
    for uri, concept in after.concepts.items():
        old = before.get(uri)
        if old is None:
            added.append(uri)
        elif old != concept.fingerprint():
            changed.append(uri)
        else:
            unchanged += 1
    withdrawn = sorted(uri for uri in before if uri not in after.concepts)
    return Changes(sorted(added), sorted(changed), withdrawn, unchanged)


TEXT_SEARCH_CONFIGS = {
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "lt": "lithuanian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "sv": "swedish",
}
"""PostgreSQL's text search configuration per ESCO language; `simple` for the others."""


def text_search_config(lang: str) -> str:
    return TEXT_SEARCH_CONFIGS.get(lang.split("-")[0], "simple")
