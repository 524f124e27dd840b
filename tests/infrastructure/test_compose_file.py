"""docker-compose.yml is valid Compose and runs every service of the workspace.

No Docker engine is needed: the file is validated against the Compose
specification's JSON Schema (shipped by check-jsonschema).
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from careerstream.contracts.topics import ALL_TOPICS, dlq_topic, retention_of

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def _compose_schema() -> dict[str, Any]:
    ref = resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json"
    loaded: dict[str, Any] = json.loads(ref.read_text())
    return loaded


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    schema = _compose_schema()
    jsonschema.validators.validator_for(schema)(schema).validate(_compose())


def test_validation_would_catch_a_broken_file() -> None:
    broken = _compose()
    broken["services"]["kafka"]["helthcheck"] = broken["services"]["kafka"].pop("healthcheck")
    schema = _compose_schema()
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(broken))
    assert any("helthcheck" in e.message for e in errors), [e.message for e in errors]


def test_every_workspace_service_has_a_dockerfile_and_a_compose_entry() -> None:
    services = sorted(
        p.name for p in (ROOT / "services").iterdir() if (p / "pyproject.toml").exists()
    )
    assert services, "no services found"
    compose = _compose()["services"]
    for name in services:
        assert (ROOT / "services" / name / "Dockerfile").exists(), name
        entry = compose.get(name)
        assert entry is not None, f"docker-compose.yml has no entry for {name}"
        assert entry["build"]["dockerfile"] == f"services/{name}/Dockerfile"
        assert "healthcheck" in entry
        if name != "console":  # the console keeps no data: it calls the services' APIs
            assert f"{name.upper()}_DATABASE_URL" in entry["environment"]
    for infra in ("kafka", "postgres"):
        assert "healthcheck" in compose[infra]
    assert compose["kafka"]["image"].startswith("apache/kafka:4.")


def test_compose_creates_every_topic_of_the_contract() -> None:
    script = (ROOT / "deploy" / "docker" / "create-topics.sh").read_text()
    listed = {
        name: (policy, int(ms))
        for name, policy, ms in re.findall(
            r"^\s+(careerstream\.[^:\s]+):(\w+):(-?\d+)$", script, re.M
        )
    }
    wanted = {t for topic in ALL_TOPICS for t in (topic, dlq_topic(topic))}
    assert set(listed) == wanted
    # Each with the retention the topic registry gives it.
    for name, (policy, ms) in listed.items():
        r = retention_of(name)
        assert (policy, ms) == (r.cleanup_policy, r.retention_ms), name
