"""Settings every service shares; a service subclasses with its own env prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Read from `<SERVICE>_*` environment variables (a subclass sets the prefix)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = Field(description="Short name of the service, e.g. 'frameworks'.")
    database_url: str = Field(
        description="SQLAlchemy URL of the service's own database, postgresql+asyncpg://...",
    )
    kafka_bootstrap_servers: str = "127.0.0.1:19092"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    environment: Literal["development", "test", "production"] = "development"
    db_pool_size: int = 10

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # Accept the plain libpq form too, so one URL serves psql and the service.
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not value.startswith("postgresql+asyncpg://"):
            raise ValueError(f"expected a postgresql:// URL, got {value.split('://')[0]}://...")
        return value

    @property
    def db_schema(self) -> str:
        """The PostgreSQL schema that holds every table of this service."""
        return self.service_name
