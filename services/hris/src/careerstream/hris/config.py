"""Settings of the hris service, from `HRIS_*` environment variables."""

from pydantic_settings import SettingsConfigDict

from careerstream.servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HRIS_", extra="ignore", frozen=True)

    service_name: str = "hris"
    database_url: str = (
        "postgresql+asyncpg://cs_hris:hris-local-only@127.0.0.1:15432/careerstream_hris"
    )
    http_port: int = 8106
    release_check_seconds: float = 60.0
    """How often notifications held for a future effective date are checked."""
    import_poll_seconds: float = 1.0
    """How often the import worker looks for a pending import."""
    survey_anonymity_threshold: int = 5
    """Pulse results (per question, per department) are shown only when at least this many
    people answered (HRIS_SURVEY_ANONYMITY_THRESHOLD)."""
