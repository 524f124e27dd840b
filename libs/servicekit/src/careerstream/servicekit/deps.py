"""FastAPI dependencies on the running service (no `from __future__ import annotations`:
FastAPI reads these annotations at runtime)."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from careerstream.servicekit.auth import Principal, Role, TokenVerifier, principal_dependency
from careerstream.servicekit.problems import Problem
from careerstream.servicekit.uow import UowFactory


def _uow_factory(request: Request) -> UowFactory:
    factory: UowFactory = request.app.state.uow
    return factory


Uow = Annotated[UowFactory, Depends(_uow_factory)]
"""The service's unit-of-work factory: `async with uow() as u: ...; await u.commit()`."""


_bearer = HTTPBearer(auto_error=False)


async def _current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    verifier: TokenVerifier = request.app.state.verifier
    return await principal_dependency(verifier)(request, credentials)


CurrentPrincipal = Annotated[Principal, Depends(_current_principal)]
"""The caller, from the bearer token (401 problem when it is missing or invalid)."""


async def _hr_admin(principal: CurrentPrincipal) -> Principal:
    if not principal.has(Role.HR_ADMIN):
        raise Problem(
            403,
            "Forbidden",
            "this needs the hr_admin role; the token has "
            + (", ".join(sorted(r.value for r in principal.roles)) or "none"),
        )
    return principal


HrAdmin = Annotated[Principal, Depends(_hr_admin)]
"""The caller, who must hold the hr_admin role (403 problem otherwise)."""
