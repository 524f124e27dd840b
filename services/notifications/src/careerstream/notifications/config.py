"""Settings of the notifications service, from `NOTIFICATIONS_*` environment variables."""

from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from careerstream.servicekit.settings import ServiceSettings

DEV_UNSUBSCRIBE_SECRET = "notifications-local-unsubscribe-secret"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    service_name: str = "notifications"
    database_url: str = (
        "postgresql+asyncpg://cs_notifications:notifications-local-only@127.0.0.1:15432/"
        "careerstream_notifications"
    )
    http_port: int = 8108

    # E-mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_tls: bool = False
    """Implicit TLS from the first byte (port 465)."""
    smtp_starttls: bool = False
    """Upgrade with STARTTLS (port 587)."""
    smtp_timeout_seconds: float = 20.0
    smtp_connections: int = 4
    """SMTP connections a delivery round uses at once (each sends its share in order)."""
    mail_from: str = "careerstream <careerstream@localhost>"

    # Links
    console_url: str = "http://127.0.0.1:8109"
    """Where links in messages point (the web console)."""
    public_url: str = "http://127.0.0.1:8108"
    """This service as people's mail clients reach it (unsubscribe links)."""
    unsubscribe_secret: str = DEV_UNSUBSCRIBE_SECRET

    # Rules
    reminder_days: float = 3.0
    """An assessment not rated this many days before its deadline gets a reminder."""
    checkin_overdue_days: float = 42.0
    """An active plan with no check-in for this long is overdue."""
    default_time_zone: str = "UTC"
    digest_hour: int = 8
    """Local hour of the daily digest."""

    # Delivery
    deliver_every_seconds: float = 1.0
    timed_rules_every_seconds: float = 60.0
    batch_size: int = 200
    max_attempts: int = 6
    """A delivery that failed this many times goes to the dead-letter list."""
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 900.0
    lease_seconds: float = 120.0
    """A claimed delivery not finished in this time (its replica died) is tried again."""
    webhook_timeout_seconds: float = 10.0
    allow_private_webhooks: bool = True
    """Chat webhooks may point at private addresses (development); production refuses them."""

    @model_validator(mode="after")
    def _production(self) -> Settings:
        if self.environment == "production":
            if (
                self.unsubscribe_secret == DEV_UNSUBSCRIBE_SECRET
                or len(self.unsubscribe_secret) < 32
            ):
                raise ValueError(
                    "NOTIFICATIONS_UNSUBSCRIBE_SECRET must be 32+ characters of your own"
                )
            object.__setattr__(self, "allow_private_webhooks", False)
        if not 1 <= self.smtp_connections <= 64:
            raise ValueError("NOTIFICATIONS_SMTP_CONNECTIONS must be 1..64")
        if not 0 <= self.digest_hour <= 23:
            raise ValueError("NOTIFICATIONS_DIGEST_HOUR must be 0..23")
        return self
