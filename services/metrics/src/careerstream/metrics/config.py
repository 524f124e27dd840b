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
    anonymity_threshold: int = 5
    """No figure is shown for a group of fewer people than this (the API says it was suppressed)."""
    snapshot_check_seconds: float = 3600.0
    """How often the daily snapshot job looks for a day to snapshot."""
    view_max_age_seconds: float = 300.0
    """How long a view's answer may still be served after the tenant's facts changed (0: only
    answers computed at the current facts). Every answer says when it was computed (`as_of`)."""
    view_keep_warm_seconds: float = 3600.0
    """Answers read within this many seconds are computed again in the background when the
    facts change, before anyone asks."""
    view_refresh_seconds: float = 30.0
    """How often the background round looks for answers to compute again."""
