"""Settings of the frameworks service, from `FRAMEWORKS_*` environment variables."""

from pydantic_settings import SettingsConfigDict

from careerstream.servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FRAMEWORKS_", extra="ignore", frozen=True)

    service_name: str = "frameworks"
    database_url: str = "postgresql+asyncpg://cs_frameworks:frameworks-local-only@127.0.0.1:15432/careerstream_frameworks"
    http_port: int = 8101
