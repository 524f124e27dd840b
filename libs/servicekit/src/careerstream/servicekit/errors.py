"""Domain errors every service raises, and their one mapping to problem+json responses.

A service layer raises these; an API handler runs its unit of work inside
`unit(uow)`, which turns them into RFC 9457 problems: 404, 403, 409, 412, 422
(listing every problem). A unique violation raced by a concurrent request is 409.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import IntegrityError

from careerstream.servicekit.domain import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
)
from careerstream.servicekit.problems import Problem
from careerstream.servicekit.uow import UnitOfWork, UowFactory

__all__ = ["Conflict", "Forbidden", "Invalid", "NotFound", "PreconditionFailed", "unit"]


@asynccontextmanager
async def unit(uow: UowFactory) -> AsyncIterator[UnitOfWork]:
    """`async with unit(uow) as u: ...`: a unit of work whose domain errors become problems."""
    try:
        async with uow() as u:
            yield u
    except NotFound as exc:
        raise Problem(404, "Not found", str(exc)) from exc
    except Forbidden as exc:
        raise Problem(403, "Forbidden", str(exc)) from exc
    except Conflict as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    except PreconditionFailed as exc:
        raise Problem(412, "Precondition failed", str(exc)) from exc
    except Invalid as exc:
        raise Problem(422, exc.title, exc.detail, errors=exc.errors) from exc
    except IntegrityError as exc:
        raise Problem(
            409, "Conflict", "someone else changed this at the same time; try again"
        ) from exc
