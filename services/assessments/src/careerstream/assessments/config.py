"""Settings of the assessments service, from `ASSESSMENTS_*` environment variables."""

from pydantic_settings import SettingsConfigDict

from careerstream.servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASSESSMENTS_", extra="ignore", frozen=True)

    service_name: str = "assessments"
    database_url: str = "postgresql+asyncpg://cs_assessments:assessments-local-only@127.0.0.1:15432/careerstream_assessments"
    http_port: int = 8102
