"""The README's commands work as shown, in a new login shell (not only from `make`, whose PATH
holds ~/.local/bin)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import jwt

from careerstream.devstack.config import repo_root

README = repo_root() / "README.md"


def _login_shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`command` as a user's new terminal runs it: a login shell with a clean environment."""
    env = {"HOME": os.environ.get("HOME", "/root"), "TERM": "dumb"}
    return subprocess.run(
        ["env", "-i", *(f"{k}={v}" for k, v in env.items()), "bash", "-lc", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _uv_commands() -> list[str]:
    text = README.read_text()
    found = re.findall(r"`(uv run [^`]+)`", text) + re.findall(r"\$\((uv run [^)]+)\)", text)
    return sorted(set(found))


def test_the_readme_shows_uv_commands() -> None:
    assert any("servicekit.auth" in c for c in _uv_commands())


def test_the_token_command_runs_as_written_in_a_new_shell() -> None:
    for command in _uv_commands():
        if "servicekit.auth" not in command:
            continue
        done = _login_shell(command, repo_root())
        assert done.returncode == 0, done.stderr
        claims = jwt.decode(done.stdout.strip(), options={"verify_signature": False})
        assert claims["tid"] == "acme"


def test_every_careerstream_command_of_the_readme_resolves_in_a_new_shell() -> None:
    subcommands = set()
    for command in _uv_commands():
        words = command.split()
        if words[2] == "careerstream":
            subcommands.add(words[3])
    assert {"down", "revision"} <= subcommands
    # The commands themselves stop stacks or write migrations; that uv and the careerstream
    # entry point resolve in a new shell is what the README's reader needs here.
    done = _login_shell("uv run careerstream --help", repo_root())
    assert done.returncode == 0, done.stderr
    for sub in subcommands:
        assert sub in done.stdout
