"""Where the local stack keeps its state and which ports it uses.

Every value can be overridden by an environment variable so that two stacks
(say, the one `make up` runs and the one the tests start) never collide.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def repo_root() -> Path:
    """The checkout this package was installed from (it is an editable workspace member)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "deploy" / "local" / "kafka" / "pom.xml").exists():
            return parent
    return Path.cwd()


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a port number, got {raw!r}") from exc


@dataclass(frozen=True)
class StackConfig:
    """Paths and ports of one local stack."""

    home: Path
    kafka_port: int = 19092
    kafka_controller_port: int = 19093
    postgres_port: int = 15432
    first_service_port: int = 8101
    smtp_port: int = 11025
    host: str = "127.0.0.1"
    pg_superuser: str = "careerstream"
    pg_password: str = "careerstream"
    kafka_heap: str = "512m"
    default_partitions: int = 12
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, name: str = "stack") -> StackConfig:
        """Configuration from CAREERSTREAM_* variables; `name` separates stacks in `.local/`."""
        home = Path(os.environ.get("CAREERSTREAM_HOME", repo_root() / ".local")) / name
        return cls(
            home=home,
            kafka_port=_int_env("CAREERSTREAM_KAFKA_PORT", 19092),
            kafka_controller_port=_int_env("CAREERSTREAM_KAFKA_CONTROLLER_PORT", 19093),
            postgres_port=_int_env("CAREERSTREAM_POSTGRES_PORT", 15432),
            first_service_port=_int_env("CAREERSTREAM_FIRST_SERVICE_PORT", 8101),
            smtp_port=_int_env("CAREERSTREAM_SMTP_PORT", 11025),
        )

    @classmethod
    def for_tests(cls) -> StackConfig:
        """A separate stack on other ports, so tests never touch the one `make up` runs."""
        home = Path(os.environ.get("CAREERSTREAM_HOME", repo_root() / ".local")) / "test-stack"
        return cls(
            home=home,
            kafka_port=_int_env("CAREERSTREAM_TEST_KAFKA_PORT", 29092),
            kafka_controller_port=_int_env("CAREERSTREAM_TEST_KAFKA_CONTROLLER_PORT", 29093),
            postgres_port=_int_env("CAREERSTREAM_TEST_POSTGRES_PORT", 25432),
            first_service_port=_int_env("CAREERSTREAM_TEST_FIRST_SERVICE_PORT", 28101),
            smtp_port=_int_env("CAREERSTREAM_TEST_SMTP_PORT", 21025),
        )

    @property
    def jars_dir(self) -> Path:
        # Jars are shared by every stack of the checkout: resolve them once.
        return self.home.parent / "kafka-jars"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    def admin_database_url(self, database: str = "postgres") -> str:
        return (
            f"postgresql://{self.pg_superuser}:{self.pg_password}"
            f"@{self.host}:{self.postgres_port}/{database}"
        )
