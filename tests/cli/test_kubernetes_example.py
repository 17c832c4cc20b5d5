"""End-to-end over the bundled Kubernetes example that `make demo` scans."""

from __future__ import annotations

from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "kubernetes"

# The legacy namespace's deliberate gaps, its one annotated exception, and nothing from the
# hardened portal namespace.
EXPECTED_NON_PASSING = {
    ("fail", "k8s_container_capabilities_drop_all", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_container_cpu_limit_set", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_container_env_no_secret_literals", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_container_image_digest_pinned", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_container_image_tag_not_latest", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_container_memory_limit_set", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_container_privilege_escalation_disabled", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_container_privileged_disabled", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_container_resource_requests_set", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_container_run_as_non_root", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_namespace_pod_security_enforced", "Namespace/legacy"),
    ("fail", "k8s_pod_default_service_account_not_used", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_pod_host_path_volumes_absent", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_pod_seccomp_profile_required", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_pod_volume_types_restricted", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_rbac_cluster_admin_not_bound", "ClusterRoleBinding/export-admin"),
    ("fail", "k8s_rbac_binding_no_default_service_account", "ClusterRoleBinding/export-admin"),
    ("fail", "k8s_service_account_token_automount_disabled", "CronJob/legacy/nightly-export"),
    ("fail", "k8s_workload_network_policy_applied", "CronJob/legacy/nightly-export"),
    ("skipped", "k8s_container_read_only_root_filesystem", "CronJob/legacy/nightly-export"),
}


def test_kubernetes_example_findings_are_exactly_the_deliberate_ones(comply):
    result = comply("scan", "kubernetes", EXAMPLE, "-o", "json")
    assert result.exit_code == 1, result.stderr
    document = result.json()
    assert document["errors"] == [] and document["warnings"] == []
    non_passing = {
        (f["status"], f["check_id"], f["resource"]["id"])
        for f in document["findings"]
        if f["status"] != "pass"
    }
    assert non_passing == EXPECTED_NON_PASSING
    portal = [f for f in document["findings"] if "/portal/" in f["resource"]["id"]]
    assert portal and {f["status"] for f in portal} == {"pass"}
    # The plain-text credential is named, never printed.
    assert "hunter2" not in result.stdout
