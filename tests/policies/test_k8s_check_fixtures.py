"""Every Kubernetes check against its fixture: the exact pass/fail/unknown sets, plus invariants.

tests/fixtures/<check_id>/kubernetes/*.yaml holds named objects; expected.yaml lists, under
`kubernetes:`, the resource ids that must get each status. Every finding must be listed: an
unlisted resource of the check's types, or a listed one without a finding, fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.registry import CHECK_ID_PATTERN, CheckSpec, Registry, load_registry
from scanner.sources.kubernetes import load_kubernetes

REPO = Path(__file__).resolve().parents[2]
POLICY_FOLDER = REPO / "policies" / "kubernetes"
FIXTURES = REPO / "tests" / "fixtures"
STATUSES = ("pass", "fail", "unknown")


def kubernetes_registry() -> Registry:
    """The built-in registry once policies/kubernetes is a package; until then, the folder
    loaded as user policies (its modules are not discovered as built-ins without __init__.py)."""
    if (POLICY_FOLDER / "__init__.py").exists():
        return load_registry()
    return load_registry([POLICY_FOLDER], builtin=False)


def kubernetes_checks(registry: Registry) -> list[CheckSpec]:
    return [spec for spec in registry if spec.id.startswith("k8s_")]


REGISTRY = kubernetes_registry()
SPECS = kubernetes_checks(REGISTRY)
IDS = [spec.id for spec in SPECS]


def _expected(check_id: str) -> dict[str, set[str]]:
    document = yaml.safe_load((FIXTURES / check_id / "expected.yaml").read_text(encoding="utf-8"))
    section = document["kubernetes"]
    assert set(section) <= set(STATUSES), f"{check_id}: unexpected keys {set(section)}"
    return {status: set(section.get(status) or []) for status in STATUSES}


def test_there_are_enough_kubernetes_checks() -> None:
    assert len(SPECS) >= 25


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_check_matches_kubernetes_fixture(spec: CheckSpec) -> None:
    expected = _expected(spec.id)
    loaded = load_kubernetes([FIXTURES / spec.id / "kubernetes"])
    assert not loaded.errors, [error.to_dict() for error in loaded.errors]

    findings = evaluate(loaded.resources, [spec], REGISTRY).findings
    got: dict[str, set[str]] = {status: set() for status in STATUSES}
    unexpected = []
    for finding in findings:
        if finding.status.value in got:
            got[finding.status.value].add(finding.resource.id)
        else:
            unexpected.append((finding.resource.id, finding.status.value, finding.message))
    assert not unexpected, f"findings with statuses other than pass/fail/unknown: {unexpected}"
    messages = {f.resource.id: f"{f.status.value}: {f.message}" for f in findings}
    assert got == expected, f"messages: {messages}"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_id_names_a_kubernetes_check(spec: CheckSpec) -> None:
    assert CHECK_ID_PATTERN.match(spec.id)
    assert spec.id.startswith("k8s_")
    assert len(spec.id.split("_")) >= 3, "k8s_<resource>_<expected_state>"
    assert all(t.startswith("kubernetes_") for t in spec.resource_types)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_docstring_has_rationale_and_remediation(spec: CheckSpec) -> None:
    assert spec.title
    assert spec.rationale, f"{spec.id}: docstring has no why-it-matters text"
    assert spec.remediation, f"{spec.id}: docstring has no Remediation: section"


# CIS Kubernetes Benchmark recommendation numbers change between versions: the key names one.
CIS_KEY = "cis_kubernetes_v1.10"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_references_are_checkov_or_cis_ids(spec: CheckSpec) -> None:
    assert set(spec.references) <= {"checkov", CIS_KEY}
    assert all(v.startswith(("CKV_K8S_", "CKV2_K8S_")) for v in spec.references.get("checkov", ()))
    assert all(re.fullmatch(r"\d+(\.\d+)+", v) for v in spec.references.get(CIS_KEY, ()))
    assert all(spec.references.values()), f"{spec.id}: an empty reference list"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_fixture_has_a_pass_and_a_fail(spec: CheckSpec) -> None:
    assert list((FIXTURES / spec.id / "kubernetes").glob("*.yaml")), f"{spec.id}: no fixture"
    expected = _expected(spec.id)
    assert expected["pass"], f"{spec.id}: fixture has no passing object"
    assert expected["fail"], f"{spec.id}: fixture has no failing object"


WORKLOAD_KINDS = {
    "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
    "ReplicationController", "PodTemplate",
}  # fmt: skip


# Checks limited by `applies_to` to one component (kube-apiserver, etcd) are exempt: their
# fixtures are that component's manifests, which are Pods or Deployments.
POD_SPEC_SPECS = [
    spec for spec in SPECS if "kubernetes_pod" in spec.resource_types and spec.applies_to is None
]


@pytest.mark.parametrize("spec", POD_SPEC_SPECS, ids=[spec.id for spec in POD_SPEC_SPECS])
def test_pod_spec_checks_cover_every_workload_kind(spec: CheckSpec) -> None:
    expected = _expected(spec.id)
    kinds = {rid.split("/", 1)[0] for ids in expected.values() for rid in ids}
    assert kinds >= WORKLOAD_KINDS, f"{spec.id}: no fixture for {WORKLOAD_KINDS - kinds}"
