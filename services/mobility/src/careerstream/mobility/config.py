"""Settings of the mobility service, from `MOBILITY_*` environment variables."""

from pydantic_settings import SettingsConfigDict

from careerstream.servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOBILITY_", extra="ignore", frozen=True)

    service_name: str = "mobility"
    database_url: str = (
        "postgresql+asyncpg://cs_mobility:mobility-local-only@127.0.0.1:15432/careerstream_mobility"
    )
    http_port: int = 8104
