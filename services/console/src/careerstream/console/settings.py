"""The console's configuration, from `CONSOLE_*` environment variables.

Production refuses to start with the development sign-in on, with the development
session secret, without Secure cookies or without an OpenID provider.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SESSION_SECRET = "careerstream-console-development-session-secret"
SERVICES = ("frameworks", "assessments", "plans", "mobility", "metrics", "hris")


class Settings(BaseSettings):
    """Where the console listens, where the services are, and how people sign in."""

    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore", frozen=True)

    http_host: str = "127.0.0.1"
    http_port: int = 8109
    environment: Literal["development", "production"] = "development"
    dev_signin: bool = Field(
        default=True,
        description="the development sign-in page (pick a tenant, a person and a role); "
        "refused in production",
    )
    session_secret: str = DEV_SESSION_SECRET
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    cookie_secure: bool = False

    frameworks_url: str = "http://127.0.0.1:8101"
    assessments_url: str = "http://127.0.0.1:8102"
    plans_url: str = "http://127.0.0.1:8103"
    mobility_url: str = "http://127.0.0.1:8104"
    metrics_url: str = "http://127.0.0.1:8105"
    hris_url: str = "http://127.0.0.1:8106"
    privacy_url: str = "http://127.0.0.1:8107"
    notifications_url: str = "http://127.0.0.1:8108"
    api_timeout_seconds: float = 15.0
    token_ttl_seconds: int = Field(default=300, ge=30, le=3600)

    oidc_issuer: str | None = Field(
        default=None, description="the identity provider's issuer URL (discovery document)"
    )
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid profile email"
    claim_tenant: str = Field(default="tid", description="the ID token claim naming the tenant")
    claim_employee: str = Field(default="sub", description="the claim holding the employee id")
    claim_roles: str = Field(default="roles", description="the claim listing the person's roles")
    claim_name: str = "name"
    tenant: str | None = Field(
        default=None, description="the tenant of everyone who signs in, when no claim names one"
    )
    role_map: dict[str, str] = Field(
        default_factory=dict,
        description="identity provider role -> careerstream role (employee, manager, hr_admin); "
        "unmapped roles are dropped, everyone is an employee",
    )

    @model_validator(mode="after")
    def _production_is_locked_down(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if self.dev_signin:
            problems.append("CONSOLE_DEV_SIGNIN must be false")
        if self.session_secret == DEV_SESSION_SECRET or len(self.session_secret) < 32:
            problems.append("CONSOLE_SESSION_SECRET must be a secret of 32 characters or more")
        if not self.cookie_secure:
            problems.append("CONSOLE_COOKIE_SECURE must be true")
        if not (self.oidc_issuer and self.oidc_client_id):
            problems.append("CONSOLE_OIDC_ISSUER and CONSOLE_OIDC_CLIENT_ID must be set")
        if problems:
            raise ValueError("in production " + "; ".join(problems))
        return self

    def url_of(self, service: str) -> str:
        """The base URL of one of the platform's services."""
        url: str = getattr(self, f"{service}_url")
        return url.rstrip("/")
