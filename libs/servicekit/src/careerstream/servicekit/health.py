"""Liveness and readiness endpoints."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

Check = Callable[[], Awaitable[None]]


def database_check(engine: AsyncEngine) -> Check:
    """A readiness check that the database answers."""

    async def check() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return check


def health_router(
    checks: dict[str, Check], *, timeout: float = 3.0, service: str = ""
) -> APIRouter:
    """`/healthz` answers while the process lives; `/readyz` only when every dependency does.

    Both name the service, so a probe knows it reached the one it meant to.
    """
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get("/readyz", summary="Readiness: the database and the broker answer")
    async def readyz() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout)
                results[name] = "ok"
            except Exception as exc:  # any failure means not ready; say which and why
                results[name] = f"failed: {type(exc).__name__}: {exc}"[:300]
        if all(v == "ok" for v in results.values()):
            return JSONResponse({"status": "ready", "service": service, "checks": results})
        return JSONResponse(
            {
                "type": "about:blank",
                "title": "Service not ready",
                "status": 503,
                "detail": "; ".join(f"{k}: {v}" for k, v in results.items() if v != "ok"),
                "service": service,
                "checks": results,
            },
            status_code=503,
            media_type="application/problem+json",
        )

    return router
