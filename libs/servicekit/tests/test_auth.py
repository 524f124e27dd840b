"""Bearer tokens become principals; missing, bad or under-privileged tokens get problem+json."""
# No `from __future__ import annotations`: FastAPI must resolve the local dependency below.

import time
from collections.abc import Callable
from typing import Annotated

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI
from pydantic import ValidationError

from careerstream.servicekit.auth import (
    AuthError,
    AuthSettings,
    Principal,
    Role,
    TokenVerifier,
    main,
    mint_token,
    principal_dependency,
    require_roles,
)
from careerstream.servicekit.problems import install_problem_handlers

S = AuthSettings()


def _claims(**over: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "iss": S.issuer,
        "aud": S.audience,
        "sub": "E1",
        "tid": "acme",
        "roles": ["manager"],
        "iat": now,
        "exp": now + 60,
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def _hs(**over: object) -> str:
    assert S.hs256_secret is not None
    return jwt.encode(_claims(**over), S.hs256_secret, algorithm="HS256")


def test_a_minted_token_verifies_to_its_principal() -> None:
    token = mint_token(S, tenant="acme", subject="E7", roles=["employee", "manager"])
    p = TokenVerifier(S).verify(token)
    assert p == Principal("acme", "E7", frozenset({Role.EMPLOYEE, Role.MANAGER}))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: _hs(exp=int(time.time()) - 3600), "expired"),
        (lambda: _hs(aud="someone-else"), "audience"),
        (lambda: _hs(iss="evil"), "issued by"),
        (lambda: _hs(tid=None), "'tid'"),
        (lambda: _hs(sub=None), "'sub'"),
        (lambda: _hs(roles=["king"]), "unknown role"),
        (
            lambda: jwt.encode(_claims(), "another-secret-another-secret-12", algorithm="HS256"),
            "invalid",
        ),
        (lambda: "not-a-jwt", "invalid"),
    ],
)
def test_bad_tokens_are_refused_with_the_reason(make: Callable[[], str], message: str) -> None:
    # Tokens are made when the test runs, not at collection: they must not expire meanwhile.
    with pytest.raises(AuthError, match=message):
        TokenVerifier(S).verify(make())


def test_rs256_tokens_verify_with_the_public_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(roles=["hr_admin"]), key, algorithm="RS256")
    verifier = TokenVerifier(S, rsa_public_key=key.public_key())
    assert verifier.verify(token).roles == {Role.HR_ADMIN}
    # An HS256 token cannot pass where RS256 is expected (no algorithm confusion).
    with pytest.raises(AuthError):
        verifier.verify(_hs())


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="development secret is refused"):
        AuthSettings(environment="production")
    assert AuthSettings(environment="production", jwks_url="https://idp.example/jwks").jwks_url


async def test_http_401_403_and_200() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    current = principal_dependency(TokenVerifier(S))
    hr_only = require_roles(current, Role.HR_ADMIN)

    @app.get("/hr")
    async def hr(p: Annotated[Principal, Depends(hr_only)]) -> dict[str, str]:
        return {"tenant": p.tenant_id}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        missing = await client.get("/hr")
        assert missing.status_code == 401
        assert missing.headers["content-type"] == "application/problem+json"
        assert missing.headers["www-authenticate"].startswith("Bearer")
        bad = await client.get("/hr", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        assert "invalid" in bad.json()["detail"]
        manager = await client.get("/hr", headers={"Authorization": f"Bearer {_hs()}"})
        assert manager.status_code == 403
        assert "hr_admin" in manager.json()["detail"]
        hr_token = _hs(roles=["hr_admin"])
        ok = await client.get("/hr", headers={"Authorization": f"Bearer {hr_token}"})
        assert ok.status_code == 200
        assert ok.json() == {"tenant": "acme"}


def test_the_mint_command_prints_a_valid_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--tenant", "acme", "--employee", "E3", "--role", "hr_admin"]) == 0
    token = capsys.readouterr().out.strip()
    assert TokenVerifier(S).verify(token).roles == {Role.HR_ADMIN}


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"roles": {"hr_admin": True}}, "'roles' claim must be a list"),
        ({"roles": "hr_admin"}, "'roles' claim must be a list"),
        ({"roles": [["hr_admin"]]}, "'roles' claim must be a list"),
        ({"exp": str(int(time.time()) + 10**7)}, "'exp' claim must be"),
        ({"iat": "now"}, "iat"),
        ({"tid": "*"}, r"'tid' claim '\*' is not a tenant id"),
        ({"tid": "global"}, "is not a tenant id"),
        ({"tid": "acme\u0000"}, "is not a tenant id"),
        ({"tid": "a" * 65}, "is not a tenant id"),
        ({"tid": ["acme"]}, "lacks the 'tid'"),
        ({"sub": "E\u00001"}, "'sub' claim must be"),
    ],
)
def test_claims_must_have_their_exact_types(claims: dict[str, object], message: str) -> None:
    with pytest.raises(AuthError, match=message):
        TokenVerifier(S).verify(_hs(**claims))
