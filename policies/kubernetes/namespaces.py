"""Namespaces: Pod Security admission enforcement."""

from __future__ import annotations

from policies.pod_views import PSS_VERSION, mapping
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
