"""Settings of the metrics service, from `METRICS_*` environment variables."""

from pydantic_settings import SettingsConfigDict

from careerstream.servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="METRICS_", extra="ignore", frozen=True)

    service_name: str = "metrics"
    database_url: str = (
        "postgresql+asyncpg://cs_metrics:metrics-local-only@127.0.0.1:15432/careerstream_metrics"
    )
    http_port: int = 8105
