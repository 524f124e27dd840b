"""Reading ESCO's CSV download, and what a re-import changes (pure; no database)."""

from __future__ import annotations

import io
import zipfile

import pytest

from careerstream.devstack.sample import ESCO_SAMPLE
from careerstream.frameworks.domain import esco
from careerstream.servicekit.domain import Invalid

FIXTURE = ESCO_SAMPLE
PYTHON = "http://data.europa.eu/esco/skill/7030d79d-8f1d-5578-8f7a-4055625291d0"


def files() -> dict[str, bytes]:
    return esco.files_of_folder(FIXTURE)


def test_reads_every_kind_of_file_in_both_languages() -> None:
    lib = esco.read(files())
    assert lib.languages == ["de", "en"]
    assert (lib.count("skill"), lib.count("group"), lib.count("occupation")) == (32, 5, 2)
    python = lib.concepts[PYTHON]
    assert python.skill_type == "knowledge"
    assert python.reuse_level == "sector-specific"
    assert python.labels["en"].preferred == "Python (computer programming)"
    # Alternative labels are newline-separated within the field; hidden ones kept apart.
    assert python.labels["en"].alternative == ["Python programming", "Python"]
    assert python.labels["en"].hidden == ["pyhton"]
    assert python.labels["de"].preferred == "Python (Computerprogrammierung)"
    assert len(python.broader) == 1
    assert lib.concepts[python.broader[0]].label("en") == "computer programming"
    relations = {kind for (_occ, skill), kind in lib.relations.items() if skill == PYTHON}
    assert relations == {"essential"}
    assert len(lib.relations) == 20


def test_a_zip_reads_as_the_folder_does_even_inside_a_directory() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files().items():
            z.writestr(f"ESCO dataset - v1.2.0 - classification - en - csv/{name}", data)
        z.writestr("README.txt", "not read")
    from_zip = esco.read(esco.files_of_zip(buf.getvalue()))
    assert from_zip.concepts.keys() == esco.read(files()).concepts.keys()


def _broken(name: str, transform: object) -> list[dict[str, object]]:
    fs = files()
    assert callable(transform)
    fs[name] = transform(fs[name])
    with pytest.raises(Invalid) as exc:
        esco.read(fs)
    return exc.value.errors


def test_every_problem_names_its_file_line_and_column() -> None:
    def bad_rows(data: bytes) -> bytes:
        text = data.decode()
        text = text.replace(PYTHON, "not-a-uri", 1)
        return text.replace(
            ",knowledge,sector-specific,SQL,", ",wisdom,sector-specific,SQL,"
        ).encode()

    errors = _broken("skills_en.csv", bad_rows)
    assert {"file": "skills_en.csv", "line": 2, "field": "conceptUri"}.items() <= errors[0].items()
    assert any(e.get("field") == "skillType" and "wisdom" in str(e["message"]) for e in errors)

    errors = _broken(
        "occupationSkillRelations_de.csv", lambda d: d.replace(b",essential,", b",vital,", 1)
    )
    assert errors[0]["field"] == "relationType"
    assert errors[0]["line"] == 2

    errors = _broken("occupations_en.csv", lambda d: d.replace(b"preferredLabel", b"title"))
    assert errors == [
        {
            "file": "occupations_en.csv",
            "line": 1,
            "message": "occupations_en.csv:1: missing column(s) preferredLabel",
        }
    ]
    errors = _broken("skills_de.csv", lambda d: d + "\xe9".encode("latin-1"))
    assert "not UTF-8" in str(errors[0]["message"])


def test_not_an_esco_download() -> None:
    with pytest.raises(Invalid, match="not a readable ZIP"):
        esco.files_of_zip(b"PK\x03\x04 truncated")
    with pytest.raises(Invalid, match=r"no skills_<language>\.csv"):
        esco.read({"occupations_en.csv": b"conceptUri,preferredLabel\n"})


def test_changes_between_versions() -> None:
    before = esco.read(files())
    stored = {uri: c.fingerprint() for uri, c in before.concepts.items()}
    after = esco.read(files())
    assert esco.changes(stored, after) == esco.Changes([], [], [], len(stored))

    after.concepts[PYTHON].labels["en"].alternative.append("Python 3")
    gone = next(uri for uri, c in after.concepts.items() if c.label("en") == "SQL")
    del after.concepts[gone]
    new = esco.Concept(uri="http://data.europa.eu/esco/skill/new", kind="skill")
    new.labels["en"] = esco.Labels(preferred="prompt engineering")
    after.concepts[new.uri] = new
    ch = esco.changes(stored, after)
    assert (ch.added, ch.changed, ch.withdrawn) == ([new.uri], [PYTHON], [gone])
    assert ch.unchanged == len(stored) - 2


def test_text_search_configurations() -> None:
    assert esco.text_search_config("de") == "german"
    assert esco.text_search_config("pt-PT") == "portuguese"
    assert esco.text_search_config("bg") == "simple"
