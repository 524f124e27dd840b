"""A migration, once committed, never changes (libs/devstack/.../released_migrations.py)."""

from __future__ import annotations

from pathlib import Path

from careerstream.devstack import released_migrations as rm
from careerstream.devstack.config import repo_root


def test_every_migration_is_recorded_and_unchanged() -> None:
    assert rm.problems(repo_root(), rm.LOCK) == []


def _migration(root: Path, service: str, name: str, text: str) -> Path:
    d = root / "services" / service / "src" / "careerstream" / service / "migrations" / "versions"
    d.mkdir(parents=True, exist_ok=True)
    path = d / name
    path.write_text(text)
    return path


def test_an_edited_removed_or_unrecorded_migration_is_caught(tmp_path: Path) -> None:
    lock = tmp_path / "SUMS"
    first = _migration(tmp_path, "plans", "0001_baseline.py", "revision = '0001'\n")
    gone = _migration(tmp_path, "plans", "0002_goals.py", "revision = '0002'\n")
    assert rm.record(tmp_path, lock) == []
    key = first.relative_to(tmp_path).as_posix()
    released = rm.recorded(lock)[key]

    new = _migration(tmp_path, "metrics", "0001_baseline.py", "revision = '0001'\n")
    (problem,) = rm.problems(tmp_path, lock)
    assert "metrics/migrations/versions/0001_baseline.py: not recorded yet" in problem

    first.write_text("revision = '0001'\n# and a column added later\n")
    gone.unlink()
    left = rm.record(tmp_path, lock)
    assert [p.split(": ")[1].split(";")[0] for p in left] == [
        "a released migration was edited",
        "a released migration was removed (databases may be past it)",
    ]
    # Recording added the new one and kept the edited one's released hash: still caught.
    sums = rm.recorded(lock)
    assert sums[key] == released
    assert new.relative_to(tmp_path).as_posix() in sums
    assert len(rm.problems(tmp_path, lock)) == 2
