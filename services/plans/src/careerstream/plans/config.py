"""Settings of the plans service, from `PLANS_*` environment variables."""

from pydantic_settings import SettingsConfigDict

from careerstream.servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PLANS_", extra="ignore", frozen=True)

    service_name: str = "plans"
    database_url: str = (
        "postgresql+asyncpg://cs_plans:plans-local-only@127.0.0.1:15432/careerstream_plans"
    )
    http_port: int = 8103
    notes_retention_days: float = 730.0
    """Check-in notes of plans that ended this long ago are emptied (0: kept forever)."""
    conversation_notes_retention_days: float = 730.0
    """Career conversations' notes are emptied this long after they were held (0: kept forever)."""
    notes_check_seconds: float = 3600.0
