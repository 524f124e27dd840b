"""The Helm chart, without a cluster: `helm lint`, `helm template` for each of the three
installations, every rendered object validated strictly (Kubernetes' own schemas from
`kubernetes-validate`, the operators' objects against `deploy/helm/crds`), and what the
manifests must say: two Deployments per service, a lag trigger for every consumer group, a
KafkaTopic for every topic, ACLs that are exactly what each service reads and writes, and no
container that may run as root."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from careerstream.contracts.topics import ALL_TOPICS, RESTRICTED, dlq_topic, retention_of
from careerstream.devstack import chart

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "careerstream"
CRDS = ROOT / "deploy" / "helm" / "crds"
KUBE = "1.33.0"
RELEASE = "cs"
INSTALLATIONS = ("values-existing.yaml", "values-operators.yaml", "values-demo.yaml")
CORE_KINDS = {
    "Deployment",
    "Service",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "Job",
    "NetworkPolicy",
}
KAFKA_SCALER_KEYS = {  # KEDA's Apache Kafka scaler, as documented
    "bootstrapServers",
    "consumerGroup",
    "topic",
    "lagThreshold",
    "activationLagThreshold",
    "offsetResetPolicy",
    "allowIdleConsumers",
    "excludePersistentLag",
    "scaleToZeroOnInvalidOffset",
    "limitToPartitionsWithLag",
    "sasl",
    "tls",
}


def helm() -> str:
    found = shutil.which("helm")
    if found:
        return found
    go = shutil.which("go") or "/usr/local/go/bin/go"
    try:
        gopath = subprocess.run(
            [go, "env", "GOPATH"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        gopath = ""
    candidates = [Path.home() / "go" / "bin" / "helm"]
    if gopath:
        candidates.insert(0, Path(gopath) / "bin" / "helm")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise AssertionError("helm is not installed: scripts/ensure-tools installs it (go install)")


@functools.cache
def rendered(values: str) -> list[dict[str, Any]]:
    out = subprocess.run(
        [
            helm(),
            "template",
            RELEASE,
            str(CHART),
            "-f",
            str(CHART / values),
            "--kube-version",
            KUBE,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def _of(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    """A CRD's structural schema as JSON Schema where an unknown field is an error (as the API
    server's strict field validation makes it)."""
    out = {k: v for k, v in schema.items() if not k.startswith("x-kubernetes") and k != "format"}
    if "properties" in schema:
        out["properties"] = {k: _strict(v) for k, v in schema["properties"].items()}
        if not schema.get("x-kubernetes-preserve-unknown-fields"):
            out.setdefault("additionalProperties", False)
    if isinstance(schema.get("items"), dict):
        out["items"] = _strict(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        out["additionalProperties"] = _strict(schema["additionalProperties"])
    return out


@functools.cache
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for path in CRDS.glob("*.yaml"):
        for crd in yaml.safe_load_all(path.read_text()):
            spec = crd["spec"]
            for version in spec["versions"]:
                api = f"{spec['group']}/{version['name']}"
                out[(api, spec["names"]["kind"])] = _strict(version["schema"]["openAPIV3Schema"])
    return out


def test_the_topology_the_chart_reads_is_what_the_code_subscribes_and_publishes() -> None:
    assert chart.TOPOLOGY.read_text() == chart.render(chart.topology()), (
        "deploy/helm/careerstream/files/topology.json is stale: run `make contracts`"
    )


@pytest.mark.parametrize("values", INSTALLATIONS)
def test_lint(values: str) -> None:
    out = subprocess.run(
        [helm(), "lint", "--strict", str(CHART), "-f", str(CHART / values), "--kube-version", KUBE],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("values", INSTALLATIONS)
def test_every_object_is_valid_and_has_no_unknown_field(values: str) -> None:
    docs = rendered(values)
    assert docs
    for d in docs:
        if d["kind"] in CORE_KINDS:
            kubernetes_validate.validate(d, KUBE, strict=True)
        else:
            schema = crd_schemas().get((d["apiVersion"], d["kind"]))
            assert schema is not None, f"no CRD for {d['apiVersion']} {d['kind']}"
            jsonschema.validate(d, schema)


@pytest.mark.parametrize("values", INSTALLATIONS)
def test_every_service_runs_an_api_and_its_consumers_apart(values: str) -> None:
    docs = rendered(values)
    deployments = _of(docs, "Deployment")
    topo = chart.topology()
    for svc in topo["services"]:
        api, consumers = (
            deployments[f"{RELEASE}-{svc}-api"],
            deployments[f"{RELEASE}-{svc}-consumers"],
        )
        assert api["spec"]["template"]["spec"]["containers"][0]["args"] == ["serve", "--api-only"]
        assert consumers["spec"]["template"]["spec"]["containers"][0]["args"] == [
            "serve",
            "--consumers-only",
        ]
    assert f"{RELEASE}-console-consumers" not in deployments
    assert f"{RELEASE}-console-api" in deployments
    for name, d in deployments.items():
        pod = d["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert {"requests", "limits"} <= set(container["resources"]), name
        assert pod["topologySpreadConstraints"], name
        env = {e["name"]: e for e in container["env"]}
        if "console" not in name:
            # The serving pods never migrate: the pre-upgrade Job does, once.
            assert env["CAREERSTREAM_MIGRATE_ON_START"]["value"] == "false", name


@pytest.mark.parametrize("values", INSTALLATIONS)
def test_no_container_may_run_as_root_or_gain_privileges(values: str) -> None:
    for d in rendered(values):
        if d["kind"] not in ("Deployment", "Job"):
            continue
        pod = d["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["automountServiceAccountToken"] is False
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["runAsNonRoot"] is True
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["readOnlyRootFilesystem"] is True
            assert sc["capabilities"]["drop"] == ["ALL"]
            assert "privileged" not in sc or sc["privileged"] is False


def test_migrations_run_as_a_job_before_install_and_upgrade() -> None:
    jobs = _of(rendered("values-operators.yaml"), "Job")
    topo = chart.topology()
    assert {n.rsplit("-migrate-", 1)[0] for n in jobs} == {
        f"{RELEASE}-{s}" for s in topo["services"]
    }
    for job in jobs.values():
        annotations = job["metadata"]["annotations"]
        assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


@pytest.mark.parametrize("values", ["values-existing.yaml", "values-operators.yaml"])
def test_every_consumer_group_scales_on_its_lag(values: str) -> None:
    docs = rendered(values)
    settings = yaml.safe_load((CHART / values).read_text())
    partitions = settings["kafka"]["partitions"]
    scaled = _of(docs, "ScaledObject")
    topo = chart.topology()
    assert set(scaled) == {f"{RELEASE}-{s}-consumers" for s in topo["services"]}
    for svc, io in topo["services"].items():
        obj = scaled[f"{RELEASE}-{svc}-consumers"]
        assert obj["spec"]["scaleTargetRef"]["name"] == f"{RELEASE}-{svc}-consumers"
        assert obj["spec"]["maxReplicaCount"] <= partitions
        triggers = obj["spec"]["triggers"]
        got = {(t["metadata"]["consumerGroup"], t["metadata"]["topic"]) for t in triggers}
        want = {(g["name"], topic) for g in io["consumerGroups"] for topic in g["topics"]}
        assert got == want, svc
        for t in triggers:
            assert t["type"] == "kafka"
            assert set(t["metadata"]) <= KAFKA_SCALER_KEYS, set(t["metadata"]) - KAFKA_SCALER_KEYS
            assert int(t["metadata"]["lagThreshold"]) > 0
    for hpa in _of(docs, "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["scaleTargetRef"]["name"].endswith("-api")
        (metric,) = hpa["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"


def test_every_topic_and_dead_letter_topic_has_its_kafkatopic() -> None:
    topics = {
        t["spec"]["topicName"]: t
        for t in _of(rendered("values-operators.yaml"), "KafkaTopic").values()
    }
    want = {t for name in ALL_TOPICS for t in (name, dlq_topic(name))}
    assert set(topics) == want
    for name, t in topics.items():
        r = retention_of(name)
        assert t["spec"]["config"]["retention.ms"] == str(r.retention_ms), name
        assert t["spec"]["config"]["cleanup.policy"] == r.cleanup_policy, name
        assert t["spec"]["partitions"] == 24
        assert t["metadata"]["labels"]["strimzi.io/cluster"] == "careerstream-kafka"


def test_each_service_may_read_and_write_exactly_what_its_code_does() -> None:
    users = _of(rendered("values-operators.yaml"), "KafkaUser")
    topo = chart.topology()
    assert set(users) == {f"{RELEASE}-{s}" for s in topo["services"]}
    for svc, io in topo["services"].items():
        acls = users[f"{RELEASE}-{svc}"]["spec"]["authorization"]["acls"]
        got = {
            (a["resource"]["type"], a["resource"]["name"], a["resource"]["patternType"], op)
            for a in acls
            for op in a["operations"]
        }
        want = {("topic", t, "literal", op) for t in io["writes"] for op in ("Write", "Describe")}
        want |= {("topic", t, "literal", op) for t in io["reads"] for op in ("Read", "Describe")}
        want |= {
            ("group", g["name"], "literal", op)
            for g in io["consumerGroups"]
            for op in ("Read", "Describe")
        }
        assert got == want, svc
        # Restricted topics are granted to the services named for them and nobody else.
        for topic, allowed in RESTRICTED.items():
            if svc not in allowed:
                assert ("topic", topic, "literal", "Read") not in got, (svc, topic)


def test_only_the_gateway_and_the_console_are_reachable_from_outside() -> None:
    policies = _of(rendered("values-existing.yaml"), "NetworkPolicy")
    outside = {
        p["spec"]["podSelector"]["matchLabels"].get("careerstream.io/service")
        for p in policies.values()
        if p["metadata"]["name"].endswith("-from-outside")
    }
    assert outside == {"hris", "console"}
    internal = policies[f"{RELEASE}-internal"]
    assert internal["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert _of(rendered("values-demo.yaml"), "NetworkPolicy") == {}  # the demo opts out


def test_keda_reads_the_lag_with_the_consumers_own_credentials() -> None:
    docs = rendered("values-operators.yaml")  # SCRAM over TLS
    auths = _of(docs, "TriggerAuthentication")
    deployments = _of(docs, "Deployment")
    for name, obj in _of(docs, "ScaledObject").items():
        svc = name.removeprefix(f"{RELEASE}-").removesuffix("-consumers")
        for t in obj["spec"]["triggers"]:
            assert t["metadata"]["sasl"] == "scram_sha512"
            assert t["metadata"]["tls"] == "enable"
            assert t["authenticationRef"]["name"] == f"{RELEASE}-{svc}-kafka"
        auth = auths[f"{RELEASE}-{svc}-kafka"]["spec"]
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        env = {e["name"] for e in container["env"]}
        assert {e["parameter"] for e in auth["env"]} == {"username", "password"}
        assert {e["name"] for e in auth["env"]} <= env
        assert {e["containerName"] for e in auth["env"]} == {container["name"]}
        assert auth["secretTargetRef"] == [
            {"parameter": "ca", "name": "careerstream-kafka-cluster-ca-cert", "key": "ca.crt"}
        ]
    assert _of(rendered("values-demo.yaml"), "TriggerAuthentication") == {}  # plaintext demo


def test_a_subscription_added_in_code_fails_until_the_chart_scales_and_grants_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A consumer group added to a service: the committed topology no longer matches the code
    (the first test fails), and once regenerated the chart gives it its lag trigger and ACLs."""
    from careerstream.contracts.events.frameworks import FrameworkPublished
    from careerstream.metrics.entrypoints import consumers as metrics_consumers
    from careerstream.servicekit.consumer import EventConsumer

    before = metrics_consumers.consumers

    def with_one_more(uow: Any) -> list[EventConsumer]:
        async def handle(*_: Any) -> None:
            return None

        return [*before(uow), EventConsumer("metrics-newcomer", uow, {FrameworkPublished: handle})]

    monkeypatch.setattr(metrics_consumers, "consumers", with_one_more)
    topology = chart.topology()
    assert chart.render(topology) != chart.TOPOLOGY.read_text()

    copy = tmp_path / "careerstream"
    shutil.copytree(CHART, copy)
    (copy / "files" / "topology.json").write_text(chart.render(topology))
    out = subprocess.run(
        [
            helm(),
            "template",
            RELEASE,
            str(copy),
            "-f",
            str(copy / "values-operators.yaml"),
            "--kube-version",
            KUBE,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    docs = [d for d in yaml.safe_load_all(out.stdout) if d]
    triggers = _of(docs, "ScaledObject")[f"{RELEASE}-metrics-consumers"]["spec"]["triggers"]
    assert {
        t["metadata"]["topic"]
        for t in triggers
        if t["metadata"]["consumerGroup"] == "metrics-newcomer"
    } == {"careerstream.frameworks.framework.v1"}
    acls = _of(docs, "KafkaUser")[f"{RELEASE}-metrics"]["spec"]["authorization"]["acls"]
    assert any(
        a["resource"] == {"type": "group", "name": "metrics-newcomer", "patternType": "literal"}
        for a in acls
    )
