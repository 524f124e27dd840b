"""What the edge costs: the same app answering the same requests with and without it.

    uv run python -m bench.edge --requests 3000

In process (ASGI, no network, no database), a route validating a JSON body the size of a
typical write (an opportunity: ~1 KB) and a framework document (~60 KB), each measured
with the edge (`EdgeMiddleware`: size, media type, NUL and number checks, and validation
against the documented schema) and without it, alternating rounds so a busy machine slows
both alike. Reported as the ratio of throughputs, with-edge / without.
"""

# No `from __future__ import annotations`: FastAPI reads the route annotations at runtime.

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI

from careerstream.frameworks.adapters import files
from careerstream.frameworks.domain.model import Framework
from careerstream.servicekit.edge import EdgeMiddleware, body_limit
from careerstream.servicekit.openapi import document_problems
from careerstream.servicekit.problems import install_problem_handlers

EXAMPLE = (
    Path(__file__).parents[1] / "services" / "frameworks" / "examples" / "typical-company.yaml"
)


def _app(with_edge: bool) -> FastAPI:
    from careerstream.mobility.entrypoints.api import OpportunityIn

    router = APIRouter()

    @router.post("/opportunities")
    async def post_opportunity(body: OpportunityIn) -> dict[str, str]:
        return {"title": body.title}

    @router.put("/frameworks", openapi_extra=body_limit(4 * 1024 * 1024))
    async def put_framework(body: Framework) -> dict[str, str]:
        return {"id": body.id}

    app = FastAPI()
    install_problem_handlers(app)
    if with_edge:
        app.add_middleware(EdgeMiddleware)
    app.include_router(router)
    document_problems(app)
    return app


async def _round(app: FastAPI, path: str, method: str, body: bytes, n: int) -> float:
    transport = httpx.ASGITransport(app=app)
    headers = {"Content-Type": "application/json"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
        started = time.perf_counter()
        for _ in range(n):
            resp = await c.request(method, path, content=body, headers=headers)
            assert resp.status_code == 200, resp.text
        return n / (time.perf_counter() - started)


async def main_async(requests: int, rounds: int) -> dict[str, Any]:
    opportunity = json.dumps(
        {
            "kind": "project",
            "title": "Payments rewrite",
            "description": "Rebuild the payment flows. " * 20,
            "required": {"craft": 3, "design": 2, "collaboration": 3},
            "time_share": 20,
            "duration_weeks": 12,
        }
    ).encode()
    framework = json.dumps(files.load(EXAMPLE.read_text()).model_dump(mode="json")).encode()
    cases = {
        "opportunity (~1 KB)": ("/opportunities", "POST", opportunity, requests),
        f"framework ({len(framework) // 1024} KB)": (
            "/frameworks",
            "PUT",
            framework,
            requests // 10,
        ),
    }
    apps = {True: _app(True), False: _app(False)}
    out: dict[str, Any] = {}
    for name, (path, method, body, n) in cases.items():
        ratios, with_edge, without = [], [], []
        for _ in range(rounds):
            a = await _round(apps[False], path, method, body, n)
            b = await _round(apps[True], path, method, body, n)
            without.append(a)
            with_edge.append(b)
            ratios.append(b / a)
        out[name] = {
            "without_edge_per_s": [round(x) for x in without],
            "with_edge_per_s": [round(x) for x in with_edge],
            "ratio_each_round": [round(r, 2) for r in ratios],
            "ratio_median": round(statistics.median(ratios), 2),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args.requests, args.rounds)), indent=2))


if __name__ == "__main__":
    main()
