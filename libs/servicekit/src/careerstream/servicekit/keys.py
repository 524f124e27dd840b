"""The data-key client: every service fetches people's data keys from the privacy service.

Keys are fetched over the privacy service's service-only API (`/v1/privacy/keys/*`)
with a short-lived token signed with `CAREERSTREAM_PRIVACY_SECRET` (role `service`,
the tenant as `tid`), in bulk (one call per relay round or consumer batch), and
cached for `CAREERSTREAM_PRIVACY_CACHE_SECONDS` (default 300): a key destroyed by
an erasure stops opening anything in every process within that time. A key that
is gone is cached as gone. The cache keeps to `CAREERSTREAM_PRIVACY_CACHE_MEGABYTES`
(default 192, about 220,000 keys), dropping the least recently used.

Without `CAREERSTREAM_PRIVACY_URL` nothing is sealed (a warning says so at start);
production refuses to start that way.
"""

from __future__ import annotations

import base64
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import httpx
import jwt
from prometheus_client import Histogram
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from careerstream.servicekit.sealing import DataKey, forget_ciphers

log = logging.getLogger(__name__)
FETCH_SECONDS = Histogram(
    "careerstream_data_key_request_seconds",
    "Calls to the privacy service's key API",
    ["call"],
)

DEV_PRIVACY_SECRET = "careerstream-local-privacy-secret-change-me"
AUDIENCE = "careerstream-privacy"
ISSUER = "careerstream-services"
BATCH = 1000
"""Keys asked for in one call, at most."""
KEY_ENTRY_BYTES = 900
"""What a cached key costs a process, measured (resident memory over 200,000 keys, each held by
person and by kid; the ciphers are kept apart, see `sealing.CIPHERS_KEPT`)."""


class PrivacySettings(BaseSettings):
    """From `CAREERSTREAM_PRIVACY_*`: where the keys are and how to ask for them."""

    model_config = SettingsConfigDict(
        env_prefix="CAREERSTREAM_PRIVACY_", extra="ignore", frozen=True
    )

    url: str | None = None
    """The privacy service's base URL; unset: events are published unsealed (development only)."""
    secret: str = DEV_PRIVACY_SECRET
    """Signs the services' tokens for the key API (shared by the platform's services only)."""
    cache_seconds: float = 300.0
    cache_megabytes: float = Field(default=192.0, gt=0)
    """The key cache's memory budget; at `KEY_ENTRY_BYTES` a key, 192 MB holds about 220,000."""
    timeout_seconds: float = 10.0
    environment: str = "development"

    @model_validator(mode="after")
    def _production(self) -> PrivacySettings:
        if self.environment == "production":
            if not self.url:
                raise ValueError("CAREERSTREAM_PRIVACY_URL must be set in production")
            if self.secret == DEV_PRIVACY_SECRET or len(self.secret) < 32:
                raise ValueError(
                    "CAREERSTREAM_PRIVACY_SECRET must be at least 32 characters of your own "
                    "in production"
                )
        return self


def service_token(
    secret: str, *, tenant: str, service: str, ttl: int = 300, role: str = "service"
) -> str:
    """A token for the privacy service's key API (`role`: service, or key_reader for outsiders)."""
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": service,
        "tid": tenant,
        "roles": [role],
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


class KeyUnavailable(ConnectionError):
    """The privacy service could not be asked (transient: try again)."""


_GONE = DataKey(kid="", secret=b"")


class KeyClient:
    """Fetches and caches data keys; one per process."""

    def __init__(self, settings: PrivacySettings, service: str) -> None:
        self.settings = settings
        self.service = service
        self._by_kid: OrderedDict[tuple[str, str], tuple[float, DataKey]] = OrderedDict()
        self._by_subject: OrderedDict[tuple[str, str], tuple[float, DataKey]] = OrderedDict()
        self._http: httpx.AsyncClient | None = None
        self.capacity = max(1, int(settings.cache_megabytes * 2**20 / KEY_ENTRY_BYTES))
        """Keys kept by person and by kid, each, at most (from the memory budget)."""
        self.calls = 0
        """HTTP calls made (tests and benchmarks read it)."""
        self.seconds = 0.0
        """Time spent waiting for the privacy service."""

    @property
    def enabled(self) -> bool:
        return bool(self.settings.url)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=str(self.settings.url), timeout=self.settings.timeout_seconds
            )
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def forget(self, tenant: str, employee_id: str) -> None:
        """Drop a person's key from the cache (their erasure was asked for), and the ciphers kept
        by secret with it."""
        entry = self._by_subject.pop((tenant, employee_id), None)
        if entry is not None:
            self._by_kid.pop((tenant, entry[1].kid), None)
        forget_ciphers()

    def _cached(
        self, cache: OrderedDict[tuple[str, str], tuple[float, DataKey]], key: tuple[str, str]
    ) -> DataKey | None:
        hit = cache.get(key)
        if hit is None:
            return None
        if hit[0] < time.monotonic():
            del cache[key]
            return None
        cache.move_to_end(key)
        return hit[1]

    def _remember(
        self,
        cache: OrderedDict[tuple[str, str], tuple[float, DataKey]],
        key: tuple[str, str],
        value: DataKey,
    ) -> None:
        cache[key] = (time.monotonic() + self.settings.cache_seconds, value)
        cache.move_to_end(key)
        while len(cache) > self.capacity:
            cache.popitem(last=False)

    async def _post(self, tenant: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        token = service_token(self.settings.secret, tenant=tenant, service=self.service)
        self.calls += 1
        started = time.perf_counter()
        try:
            resp = await self._client().post(
                path, json=body, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise KeyUnavailable(f"privacy service unreachable: {exc!r}") from exc
        finally:
            elapsed = time.perf_counter() - started
            self.seconds += elapsed
            FETCH_SECONDS.labels(path.rsplit("/", 1)[-1]).observe(elapsed)
        if resp.status_code >= 500 or resp.status_code in (408, 429):
            raise KeyUnavailable(f"privacy service answered {resp.status_code}")
        if resp.status_code != 200:
            raise RuntimeError(f"privacy service refused {path}: {resp.status_code} {resp.text}")
        out: dict[str, Any] = resp.json()
        return out

    async def for_subjects(
        self, tenant: str, employee_ids: Iterable[str]
    ) -> dict[str, DataKey | None]:
        """Each person's key, created when they have none; None for an erased person."""
        out: dict[str, DataKey | None] = {}
        missing: list[str] = []
        for emp in dict.fromkeys(employee_ids):
            hit = self._cached(self._by_subject, (tenant, emp))
            if hit is None:
                missing.append(emp)
            else:
                out[emp] = None if hit is _GONE else hit
        for i in range(0, len(missing), BATCH):
            answer = await self._post(
                tenant, "/v1/privacy/keys/issue", {"employee_ids": missing[i : i + BATCH]}
            )
            for item in answer.get("keys", []):
                key = DataKey(kid=item["kid"], secret=base64.b64decode(item["key"]))
                out[item["employee_id"]] = key
                self._remember(self._by_subject, (tenant, item["employee_id"]), key)
                self._remember(self._by_kid, (tenant, key.kid), key)
            for emp in answer.get("erased", []):
                out[emp] = None
                self._remember(self._by_subject, (tenant, emp), _GONE)
        return out

    async def by_kids(self, tenant: str, kids: Iterable[str]) -> dict[str, DataKey | None]:
        """The keys named; None for a key that is gone (its person was erased)."""
        out: dict[str, DataKey | None] = {}
        missing: list[str] = []
        for kid in dict.fromkeys(kids):
            hit = self._cached(self._by_kid, (tenant, kid))
            if hit is None:
                missing.append(kid)
            else:
                out[kid] = None if hit is _GONE else hit
        for i in range(0, len(missing), BATCH):
            answer = await self._post(
                tenant, "/v1/privacy/keys/fetch", {"kids": missing[i : i + BATCH]}
            )
            for item in answer.get("keys", []):
                key = DataKey(kid=item["kid"], secret=base64.b64decode(item["key"]))
                out[key.kid] = key
                self._remember(self._by_kid, (tenant, key.kid), key)
            for kid in answer.get("gone", []):
                out[kid] = None
                self._remember(self._by_kid, (tenant, kid), _GONE)
        return out


_process: KeyClient | None = None


def process_key_client() -> KeyClient:
    """The process's key client (configured by `configure_keys`, else from the environment)."""
    global _process
    if _process is None:
        _process = KeyClient(PrivacySettings(), service="careerstream")
    return _process


def configure_keys(service: str, environment: str) -> KeyClient:
    """Set up the process's key client for `service` (bootstrap does this once)."""
    global _process
    settings = (
        PrivacySettings(environment="production")
        if environment == "production"
        else PrivacySettings()
    )
    if _process is None or _process.settings != settings:
        _process = KeyClient(settings, service=service)
    else:
        _process.service = service
    if not settings.url:
        log.warning(
            "%s: CAREERSTREAM_PRIVACY_URL is not set; personal fields are published unsealed",
            service,
        )
    return _process


def main(argv: list[str] | None = None) -> int:
    """Mint a key-reader token for an outside consumer (`python -m careerstream.servicekit.keys`)."""
    import argparse

    parser = argparse.ArgumentParser(
        description="Mint a token with which an outside consumer fetches data keys of one tenant "
        "(role key_reader: it can open sealed personal fields, never create keys). Signed with "
        "CAREERSTREAM_PRIVACY_SECRET."
    )
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--name", required=True, help="who the consumer is (the token's sub)")
    parser.add_argument("--ttl", type=int, default=86400, help="seconds (default one day)")
    args = parser.parse_args(argv)
    settings = PrivacySettings()
    print(
        service_token(
            settings.secret, tenant=args.tenant, service=args.name, ttl=args.ttl, role="key_reader"
        )
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
