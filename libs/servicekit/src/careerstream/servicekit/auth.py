"""Authentication and authorisation: bearer JWTs to a `Principal`, FastAPI dependencies.

Tokens carry `tid` (tenant), `sub` (the employee id, or a service name) and
`roles` (employee, manager, hr_admin, service). Locally they are HS256 with a
shared secret; in production RS256, verified against the identity provider's
JWKS URL. Missing or bad token: 401; valid token without the role: 403.

Mint a local token:
    uv run python -m careerstream.servicekit.auth --tenant acme --employee E1 --role hr_admin
"""

# No `from __future__ import annotations`: FastAPI resolves the closures' Depends() at runtime.

import argparse
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from careerstream.servicekit.problems import Problem

DEV_SECRET = "careerstream-local-development-secret-change-me"
TENANT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""What a tenant id looks like, in tokens, URLs and events."""
TENANT_ID = re.compile(TENANT_PATTERN)
RESERVED_TENANTS = frozenset({"*", "global", "system", "all", "careerstream"})
"""Names that mean something other than one tenant (e.g. the global catalogue is `*`)."""
SUBJECT = re.compile(r"[^\x00-\x1f\x7f]{1,128}")


class Role(StrEnum):
    """The roles a token may grant."""

    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR_ADMIN = "hr_admin"
    SERVICE = "service"
    KEY_READER = "key_reader"
    """An outside consumer that may fetch data keys to open sealed personal fields."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: their tenant, their employee id and their roles."""

    tenant_id: str
    subject: str
    roles: frozenset[Role]

    @property
    def employee_id(self) -> str:
        """The caller's employee id (their token's subject)."""
        return self.subject

    def has(self, *roles: Role) -> bool:
        """Whether the caller holds any of these roles."""
        return bool(self.roles.intersection(roles))


class AuthSettings(BaseSettings):
    """From `CAREERSTREAM_AUTH_*`; production must use a JWKS URL or a secret of its own."""

    model_config = SettingsConfigDict(env_prefix="CAREERSTREAM_AUTH_", extra="ignore", frozen=True)

    issuer: str = "careerstream-local"
    audience: str = "careerstream"
    hs256_secret: str | None = DEV_SECRET
    jwks_url: str | None = None
    environment: str = "development"
    leeway_seconds: int = 30

    @model_validator(mode="after")
    def _no_placeholder_in_production(self) -> "AuthSettings":
        if (
            self.environment == "production"
            and self.jwks_url is None
            and (self.hs256_secret in (None, DEV_SECRET) or len(self.hs256_secret or "") < 32)
        ):
            raise ValueError(
                "CAREERSTREAM_AUTH_JWKS_URL (RS256) or a CAREERSTREAM_AUTH_HS256_SECRET of at "
                "least 32 characters must be set in production; the development secret is refused"
            )
        return self


class AuthError(Exception):
    """A token that is missing, malformed or fails verification (401)."""

    pass


class TokenVerifier:
    """Verifies bearer tokens against the configured keys, issuer and audience."""

    def __init__(self, settings: AuthSettings, *, rsa_public_key: Any = None) -> None:
        self.settings = settings
        self._rsa_key = rsa_public_key
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None

    def _key(self, token: str) -> tuple[Any, list[str]]:
        if self._rsa_key is not None:
            return self._rsa_key, ["RS256"]
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key, ["RS256"]
        if self.settings.hs256_secret:
            return self.settings.hs256_secret, ["HS256"]
        raise AuthError("no verification key is configured")

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; `AuthError` naming what is wrong otherwise."""
        try:
            key, algorithms = self._key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("the token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthError(f"the token is not for audience '{self.settings.audience}'") from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthError(f"the token was not issued by '{self.settings.issuer}'") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError(f"the token lacks the '{exc.claim}' claim") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise AuthError(f"the token is invalid: {exc}") from exc
        return principal_of(claims)


def principal_of(claims: dict[str, Any]) -> Principal:
    """The caller a verified token's claims name; every claim must have its exact type."""
    for name in ("exp", "iat", "nbf"):
        if name in claims and (not isinstance(claims[name], int) or isinstance(claims[name], bool)):
            raise AuthError(f"the '{name}' claim must be a number of seconds (an integer)")
    tenant = claims.get("tid")
    if not isinstance(tenant, str) or not tenant:
        raise AuthError("the token lacks the 'tid' (tenant) claim")
    if not TENANT_ID.fullmatch(tenant) or tenant.lower() in RESERVED_TENANTS:
        raise AuthError(
            f"the 'tid' claim {tenant[:40]!r} is not a tenant id "
            "(letters, digits, '.', '_', '-'; 1 to 64 characters; not a reserved name)"
        )
    subject = claims.get("sub")
    if not isinstance(subject, str) or not SUBJECT.fullmatch(subject):
        raise AuthError(
            "the 'sub' claim must be an employee id or service name (1 to 128 printable characters)"
        )
    raw_roles = claims.get("roles", [])
    if not isinstance(raw_roles, list) or not all(isinstance(r, str) for r in raw_roles):
        raise AuthError("the 'roles' claim must be a list of role names")
    try:
        roles = frozenset(Role(r) for r in raw_roles)
    except ValueError as exc:
        raise AuthError(
            f"unknown role in token: {raw_roles!r}; roles are " + ", ".join(r.value for r in Role)
        ) from exc
    return Principal(tenant_id=tenant, subject=subject, roles=roles)


def mint_token(
    settings: AuthSettings, *, tenant: str, subject: str, roles: list[str], ttl_seconds: int = 3600
) -> str:
    """A locally signed HS256 token (development and tests)."""
    if not settings.hs256_secret:
        raise AuthError("minting needs CAREERSTREAM_AUTH_HS256_SECRET")
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": subject,
        "tid": tenant,
        "roles": roles,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, settings.hs256_secret, algorithm="HS256")


_bearer = HTTPBearer(auto_error=False)


def principal_dependency(verifier: TokenVerifier) -> Callable[..., Awaitable[Principal]]:
    """A FastAPI dependency giving each request its verified principal."""

    async def current_principal(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        challenge = {"WWW-Authenticate": 'Bearer realm="careerstream"'}
        if credentials is None:
            raise Problem(
                401,
                "Authentication required",
                "send an 'Authorization: Bearer <token>' header",
                headers=challenge,
            )
        try:
            principal = verifier.verify(credentials.credentials)
        except AuthError as exc:
            raise Problem(401, "Invalid token", str(exc), headers=challenge) from exc
        request.state.careerstream_principal = principal  # for the audit trail
        return principal

    return current_principal


def require_roles(
    current: Callable[..., Awaitable[Principal]], *roles: Role
) -> Callable[..., Awaitable[Principal]]:
    """A FastAPI dependency that admits only principals with one of these roles (403)."""

    async def check(principal: Annotated[Principal, Depends(current)]) -> Principal:
        if not principal.has(*roles):
            raise Problem(
                403,
                "Forbidden",
                f"this needs one of the roles {', '.join(r.value for r in roles)}; "
                f"the token has {', '.join(sorted(r.value for r in principal.roles)) or 'none'}",
            )
        return principal

    return check


def main(argv: list[str] | None = None) -> int:
    """Mint a local token (`python -m careerstream.servicekit.auth --help`)."""
    parser = argparse.ArgumentParser(description="Mint a local careerstream token.")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--employee", required=True, help="the sub claim (employee id or service)")
    parser.add_argument("--role", action="append", choices=[r.value for r in Role], required=True)
    parser.add_argument("--ttl", type=int, default=3600, help="seconds (default 3600)")
    args = parser.parse_args(argv)
    print(
        mint_token(
            AuthSettings(),
            tenant=args.tenant,
            subject=args.employee,
            roles=args.role,
            ttl_seconds=args.ttl,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
