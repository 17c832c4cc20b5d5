"""Namespaces: Pod Security admission enforcement."""

from __future__ import annotations

from policies.pod_views import PSS_VERSION, WORKLOAD_TYPES, mapping, workload_kind
from scanner.core.model import Resource, Result
from scanner.core.registry import check

ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version"
ENFORCED_LEVELS = ("baseline", "restricted")


@check(
    id="k8s_namespace_pod_security_enforced",
    title="Namespaces enforce the baseline or restricted Pod Security Standard",
    severity="medium",
    resource_types=["kubernetes_namespace"],
)
def k8s_namespace_pod_security_enforced(namespace: Resource) -> Result:
    """Checking manifests before merge does not stop a pod created another way (kubectl, an
    operator, a compromised CI token). The built-in Pod Security admission controller rejects
    non-compliant pods at the API server when the namespace carries the
    `pod-security.kubernetes.io/enforce` label with `baseline` or `restricted`; without it
    (or with `privileged`) the cluster default applies, which is privileged unless configured.
    The pss checks of this scanner follow PSS v1.31.

    Remediation: label the namespace (pin the version to upgrade deliberately):

        apiVersion: v1
        kind: Namespace
        metadata:
          name: payments
          labels:
            pod-security.kubernetes.io/enforce: restricted
            pod-security.kubernetes.io/enforce-version: v1.31
    """
    labels = mapping(namespace.get("metadata.labels"))
    level = labels.get(ENFORCE_LABEL)
    version = labels.get(ENFORCE_VERSION_LABEL) or "latest"
    if level in ENFORCED_LEVELS:
        return Result.passed(f"enforces Pod Security {level} (version {version})")
    if level is None:
        return Result.failed(
            f"no {ENFORCE_LABEL} label: pods are admitted under the cluster default "
            f"(privileged unless configured); set baseline or restricted (PSS {PSS_VERSION})"
        )
    return Result.failed(f"{ENFORCE_LABEL} is {level!r}: no Pod Security level is enforced")


@check(
    id="k8s_workload_namespace_not_default",
    title="Workloads are deployed to a dedicated namespace, not default",
    severity="low",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_21"], "cis_kubernetes_v1.10": ["5.7.4"]},
)
def k8s_workload_namespace_not_default(workload: Resource) -> Result:
    """Namespaces are the boundary that RBAC roles, NetworkPolicies, Pod Security labels and
    resource quotas attach to. Workloads in `default` share it with everything deployed without
    thought, which usually has none of those controls, so least privilege and isolation cannot
    be shown for them.

    A manifest without `metadata.namespace` is created in whatever namespace the deploy tool
    targets (kubectl's context or `-n`, `helm --namespace`), which the manifest does not say:
    such workloads are unknown, not passed or failed. Set the namespace in the manifest or in the
    kustomization (`namespace:`) to make it reviewable.

    Remediation:

        metadata:
          name: api
          namespace: payments
    """
    declared = workload.get("metadata.namespace")
    kind = workload_kind(workload)
    if declared in (None, ""):
        return Result.unknown(
            f"{kind} has no metadata.namespace: it is created in the namespace the deploy tool "
            f"targets (kubectl context, -n, helm --namespace), often default"
        )
    if not isinstance(declared, str):
        return Result.unknown(f"{kind} metadata.namespace is not a string")
    if declared == "default":
        return Result.failed(f"{kind} is deployed to the default namespace")
    return Result.passed(f"{kind} is deployed to namespace {declared}")
