"""Settings of the privacy service, from `PRIVACY_*` environment variables."""

from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from careerstream.servicekit.keys import DEV_PRIVACY_SECRET
from careerstream.servicekit.settings import ServiceSettings

DEV_MASTER_KEYS = "dev1:Y2FyZWVyc3RyZWFtLWxvY2FsLW1hc3Rlci1rZXktMDE="
"""A development master key (32 bytes, base64); production refuses it."""

PARTICIPANTS = "frameworks,assessments,plans,mobility,metrics,hris,notifications"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PRIVACY_", extra="ignore", frozen=True)

    service_name: str = "privacy"
    database_url: str = (
        "postgresql+asyncpg://cs_privacy:privacy-local-only@127.0.0.1:15432/careerstream_privacy"
    )
    http_port: int = 8107
    master_keys: str = DEV_MASTER_KEYS
    """`id:base64key,...` (32-byte keys): the first wraps new data keys, the others still
    unwrap; rotating is putting a new key first and running `rewrap` (or letting the
    service's background job do it)."""
    service_secret: str = DEV_PRIVACY_SECRET
    """Verifies the services' tokens on the key API (`CAREERSTREAM_PRIVACY_SECRET` of the others)."""
    participants: str = PARTICIPANTS
    """The services that must answer an erasure, comma-separated."""
    erasure_deadline_hours: float = 72.0
    """After this, the key is destroyed even if a service has not answered (reported)."""
    deadline_check_seconds: float = 30.0
    export_urls: str = ""
    """`service=http://host:port,...`: where each participant serves its part of a subject
    access export (`GET /v1/privacy/export/{employee_id}`)."""
    export_timeout_seconds: float = 30.0
    access_retention_days: float = 365.0
    """Access records older than this are deleted (the audit trail's retention)."""
    rewrap_batch: int = 1000

    @model_validator(mode="after")
    def _production(self) -> Settings:
        if self.environment == "production":
            if DEV_MASTER_KEYS.split(",")[0] in self.master_keys:
                raise ValueError("PRIVACY_MASTER_KEYS must not hold the development key")
            if self.service_secret == DEV_PRIVACY_SECRET or len(self.service_secret) < 32:
                raise ValueError("PRIVACY_SERVICE_SECRET must be 32+ characters of your own")
        return self

    @property
    def export_targets(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in self.export_urls.split(","):
            name, sep, url = part.strip().partition("=")
            if sep and name.strip() and url.strip():
                out[name.strip()] = url.strip().rstrip("/")
        return out

    @property
    def participant_list(self) -> list[str]:
        return [p.strip() for p in self.participants.split(",") if p.strip()]
