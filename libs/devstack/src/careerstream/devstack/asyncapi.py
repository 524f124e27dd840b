"""The committed AsyncAPI 3 document of every service, generated from its FastStream app."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from careerstream.devstack.config import repo_root
from careerstream.devstack.stack import installed_services

ASYNCAPI_DIR = repo_root() / "contracts" / "asyncapi"


def generate(service: str) -> dict[str, Any]:
    bootstrap = importlib.import_module(f"careerstream.{service}.bootstrap")
    doc: dict[str, Any] = bootstrap.build().asyncapi()
    return doc


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def write_all() -> list[Path]:
    ASYNCAPI_DIR.mkdir(parents=True, exist_ok=True)
    paths = []
    for svc in installed_services():
        path = ASYNCAPI_DIR / f"{svc}.json"
        path.write_text(render(generate(svc)))
        paths.append(path)
    return paths
