"""Each service's committed AsyncAPI document matches what its FastStream app generates."""

from __future__ import annotations

import pytest

from careerstream.devstack.asyncapi import ASYNCAPI_DIR, generate, render
from careerstream.devstack.stack import installed_services


@pytest.mark.parametrize("service", installed_services())
def test_committed_asyncapi_is_current(service: str) -> None:
    path = ASYNCAPI_DIR / f"{service}.json"
    assert path.exists(), f"run `make contracts` to write {path}"
    assert path.read_text() == render(generate(service)), f"{path} is stale: run `make contracts`"
    doc = generate(service)
    assert doc["asyncapi"].startswith("3.")
    assert doc["info"]["title"] == f"careerstream {service}"
