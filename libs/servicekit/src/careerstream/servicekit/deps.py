"""FastAPI dependencies on the running service (no `from __future__ import annotations`:
FastAPI reads these annotations at runtime)."""

from typing import Annotated

from fastapi import Depends, Request

from careerstream.servicekit.uow import UowFactory


def _uow_factory(request: Request) -> UowFactory:
    factory: UowFactory = request.app.state.uow
    return factory


Uow = Annotated[UowFactory, Depends(_uow_factory)]
"""The service's unit-of-work factory: `async with uow() as u: ...; await u.commit()`."""
