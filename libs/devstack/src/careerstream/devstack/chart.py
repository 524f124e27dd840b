"""What the Helm chart installs, generated from the code: every service's consumer groups and
the topics each reads, the topics each publishes, and every topic with its retention.

`deploy/helm/careerstream/files/topology.json` is written by `make contracts` (beside the
AsyncAPI documents, from the same brokers) and read by the chart's templates, so the
KafkaTopics, the KafkaUsers' ACLs and the ScaledObjects can never drift from the code: a
test fails when the committed file is not what the code gives.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

from careerstream.contracts.topics import ALL_TOPICS, RESTRICTED, dlq_topic, retention_of
from careerstream.devstack.config import repo_root
from careerstream.devstack.stack import installed_services
from careerstream.servicekit.subscriptions import consumer_groups

CHART = repo_root() / "deploy" / "helm" / "careerstream"
TOPOLOGY = CHART / "files" / "topology.json"


def topology() -> dict[str, Any]:
    """Topics and services as the chart needs them (sorted, so the file is stable)."""
    prefix = os.environ.pop("CAREERSTREAM_CONSUMER_GROUP_PREFIX", None)  # the chart prefixes
    try:
        services = {svc: _service(svc) for svc in installed_services()}
    finally:
        if prefix is not None:
            os.environ["CAREERSTREAM_CONSUMER_GROUP_PREFIX"] = prefix
    topics = []
    for name in ALL_TOPICS:
        for topic in (name, dlq_topic(name)):
            r = retention_of(topic)
            topics.append(
                {
                    "name": topic,
                    "retentionMs": r.retention_ms,
                    "cleanupPolicy": r.cleanup_policy,
                    "restrictedTo": sorted(RESTRICTED.get(topic, ())),
                }
            )
    return {"services": services, "topics": topics}


def _service(svc: str) -> dict[str, Any]:
    """A service's consumer groups, what it reads, and what it writes, from its own broker."""
    runtime = importlib.import_module(f"careerstream.{svc}.bootstrap").build()
    groups = consumer_groups(runtime.broker)
    reads = sorted({t for topics in groups.values() for t in topics})
    return {
        "consumerGroups": [
            {"name": name, "topics": sorted(topics)} for name, topics in sorted(groups.items())
        ],
        "reads": reads,
        # Its own events (through the outbox relay) and the dead letters of what it reads.
        "writes": sorted(
            {p.topic for p in runtime.broker.publishers} | {dlq_topic(t) for t in reads}
        ),
    }


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def write() -> Path:
    TOPOLOGY.parent.mkdir(parents=True, exist_ok=True)
    TOPOLOGY.write_text(render(topology()))
    return TOPOLOGY
