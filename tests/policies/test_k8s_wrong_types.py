"""A Kubernetes field of the wrong type is never a pass (issue 11): tests/fixtures/hostile/
wrong-types.yaml holds one object per case, each one the API server would reject."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES

WRONG_TYPES = FIXTURES / "hostile" / "wrong-types.yaml"


@pytest.fixture(scope="module")
def findings(request):
    from tests.conftest import run_comply

    document = run_comply("scan", "kubernetes", WRONG_TYPES, "-o", "json").json()
    assert document["errors"] == []
    return {(f["check_id"], f["resource"]["id"]): f for f in document["findings"]}


@pytest.mark.parametrize(
    ("check_id", "resource_id", "reason"),
    [
        (
            "k8s_container_privileged_disabled",
            "Pod/phi/privileged-yes",
            "securityContext.privileged of container \"app\" is 'yes', not a boolean",
        ),
        (
            "k8s_container_capabilities_within_baseline",
            "Pod/phi/caps-string",
            "securityContext.capabilities.add of container \"app\" is 'ALL', not a list",
        ),
        (
            "k8s_container_privileged_disabled",
            "Pod/phi/containers-string",
            "spec.containers is a str, not a list",
        ),
        (
            "k8s_container_capabilities_within_baseline",
            "Pod/phi/containers-string",
            "spec.containers is a str, not a list",
        ),
        ("k8s_rbac_role_no_wildcards", "ClusterRole/verbs-string", "verbs is '*', not a list"),
        (
            "k8s_rbac_role_no_escalation_verbs",
            "ClusterRole/verbs-string",
            "verbs is '*', not a list",
        ),
    ],
)
def test_wrong_typed_field_is_unknown_with_its_reason(findings, check_id, resource_id, reason):
    finding = findings[(check_id, resource_id)]
    assert finding["status"] == "unknown"
    assert reason in finding["message"]


def test_malformed_network_policy_is_not_a_default_deny(findings):
    for pod in ("privileged-yes", "caps-string", "containers-string"):
        finding = findings[("k8s_workload_network_policy_applied", f"Pod/phi/{pod}")]
        assert finding["status"] == "unknown"
        assert (
            "NetworkPolicy phi/malformed-deny (spec is 'deny all', not a map"
            in (finding["message"])
        )


def test_null_is_absent_and_well_formed_objects_are_still_judged(findings):
    assert findings[("k8s_container_privileged_disabled", "Pod/open/well-formed")]["status"] == (
        "pass"
    )
    # another namespace: the malformed policy of `phi` does not make it unknown
    assert findings[("k8s_workload_network_policy_applied", "Pod/open/well-formed")]["status"] == (
        "fail"
    )
    # a check that the wrong type does not touch still judges the object
    assert (
        findings[("k8s_container_capabilities_within_baseline", "Pod/phi/privileged-yes")]["status"]
        == "pass"
    )
