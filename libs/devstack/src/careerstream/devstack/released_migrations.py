"""Released migrations never change: each one's SHA-256, recorded when it is first committed.

A database migrated by a revision records only the revision's id. If the revision's file is
edited afterwards, a database migrated before the edit says it is at head and lacks what the
edit added, and nothing tells. So every migration's hash is recorded in
`contracts/released/MIGRATIONS.SHA256SUMS` (`make contracts` adds the new ones and never
rewrites a line), and a test fails on a recorded migration that changed or disappeared, and
on a migration not recorded yet. A change to a schema is a new revision.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from careerstream.devstack.config import repo_root

LOCK = repo_root() / "contracts" / "released" / "MIGRATIONS.SHA256SUMS"
PATTERN = "services/*/src/careerstream/*/migrations/versions/*.py"


def current(root: Path) -> dict[str, str]:
    """Each migration under `root` (its path relative to `root`) and its SHA-256."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.glob(PATTERN))
    }


def recorded(lock: Path) -> dict[str, str]:
    """The recorded hashes (an absent file records none)."""
    if not lock.exists():
        return {}
    out: dict[str, str] = {}
    for line in lock.read_text().splitlines():
        if line.strip():
            digest, _, path = line.partition("  ")
            out[path] = digest
    return out


def problems(root: Path, lock: Path) -> list[str]:
    """What differs between the migrations under `root` and the record, in words."""
    now, then = current(root), recorded(lock)
    found = []
    for path, digest in sorted(then.items()):
        if path not in now:
            found.append(f"{path}: a released migration was removed (databases may be past it)")
        elif now[path] != digest:
            found.append(
                f"{path}: a released migration was edited; databases migrated before the edit "
                "will not run it again. Restore it and add a new revision for the change"
            )
    for path in sorted(set(now) - set(then)):
        found.append(f"{path}: not recorded yet; run `make contracts` to record it")
    return found


def record(root: Path, lock: Path) -> list[str]:
    """Add the migrations not recorded yet; never rewrite a recorded line. Returns the
    problems left (an edited or removed migration), which recording does not hide."""
    now, then = current(root), recorded(lock)
    added = {p: d for p, d in now.items() if p not in then}
    if added or not lock.exists():
        merged = {**then, **added}
        lock.write_text("".join(f"{merged[p]}  {p}\n" for p in sorted(merged)))
    return problems(root, lock)
