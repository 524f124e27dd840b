"""The committed OpenAPI document of every service, generated from its FastAPI app.

Outside teams diff `contracts/openapi/<service>.json` between releases as they diff the
event schemas; `make contracts` writes them and a test fails when one is stale.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from careerstream.devstack.config import repo_root
from careerstream.devstack.stack import installed_services

OPENAPI_DIR = repo_root() / "contracts" / "openapi"


def generate(service: str) -> dict[str, Any]:
    from careerstream.servicekit.service import create_app

    bootstrap = importlib.import_module(f"careerstream.{service}.bootstrap")
    doc: dict[str, Any] = create_app(bootstrap.build()).openapi()
    return doc


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_all() -> list[Path]:
    OPENAPI_DIR.mkdir(parents=True, exist_ok=True)
    paths = []
    for svc in installed_services():
        path = OPENAPI_DIR / f"{svc}.json"
        path.write_text(render(generate(svc)))
        paths.append(path)
    return paths
