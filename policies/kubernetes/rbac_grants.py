"""RBAC: grants on the few resources that lead straight to other identities or to every pod.

Matching follows the API server's RBAC authorizer: `*` matches every verb, API group or resource,
`*/exec` matches the exec subresource of every resource, but `pods/*` matches nothing (RBAC has no
prefix wildcards for resources). Rules are judged as written, one role at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from policies.kubernetes.rbac import ROLE_TYPES, own_rules
from policies.pod_views import mapping, quoted, sequence
from scanner.core.model import Resource, Result
from scanner.core.registry import check


@dataclass(frozen=True)
class Grant:
    """A (verbs, API group, resource) combination that one rule may grant."""

    verbs: frozenset[str]
    group: str
    resource: str  # `pods/exec`: resource and subresource as RBAC writes them

    def matched_by(self, rule: Mapping[str, Any]) -> bool:
        verbs = {str(v) for v in sequence(rule.get("verbs"), "a rule's verbs")}
        # No apiGroups is invalid for resource rules; read it as the core group, as the other
        # RBAC checks do, rather than let a malformed rule pass.
        groups = {str(g) for g in sequence(rule.get("apiGroups"))} or {""}
        if not (verbs & (self.verbs | {"*"})) or not (groups & {self.group, "*"}):
            return False
        return any(
            _resource_matches(str(r), self.resource) for r in sequence(rule.get("resources"))
        )


def _resource_matches(rule_resource: str, requested: str) -> bool:
    """RBAC's ResourceMatches: `*`, the exact name, or `*/<subresource>`."""
    if rule_resource in ("*", requested):
        return True
    _, _, subresource = requested.partition("/")
    return bool(subresource) and rule_resource == f"*/{subresource}"


def _granting_rules(
    role: Resource, grants: Iterable[Grant]
) -> list[tuple[int, Mapping[str, Any], list[Grant]]]:
    found = []
    wanted = list(grants)
    for number, rule in enumerate(own_rules(role), start=1):
        rule = mapping(rule)
        matched = [grant for grant in wanted if grant.matched_by(rule)]
        if matched:
            found.append((number, rule, matched))
    return found


def _kind(role: Resource) -> str:
    return "ClusterRole" if role.type == "kubernetes_cluster_role" else "Role"


def _names(rule: Mapping[str, Any]) -> list[str]:
    return [str(n) for n in sequence(rule.get("resourceNames"))]


def _describe(number: int, rule: Mapping[str, Any], grants: list[Grant]) -> str:
    verbs = sorted({str(v) for v in sequence(rule.get("verbs"))})
    what = quoted(sorted({g.resource for g in grants}))
    names = _names(rule)
    limited = f" (resourceNames {quoted(names)})" if names else ""
    return f"rule {number} grants {quoted(verbs)} on {what}{limited}"


# GET suffices for exec and attach over WebSocket before Kubernetes 1.31, and GET on
# nodes/proxy reaches the kubelet API (exec in any pod of the node) in every version.
WORKLOAD_ENTRY_GRANTS = (
    Grant(frozenset({"create", "get"}), "", "pods/exec"),
    Grant(frozenset({"create", "get"}), "", "pods/attach"),
    Grant(frozenset({"create", "get"}), "", "nodes/proxy"),
)


@check(
    id="k8s_rbac_role_no_pod_exec",
    title="Roles and ClusterRoles grant no exec or attach into pods, and no nodes/proxy",
    severity="high",
    resource_types=ROLE_TYPES,
    references={"cis_kubernetes_v1.10": ["5.1.10"]},
)
def k8s_rbac_role_no_pod_exec(role: Resource) -> Result:
    """`pods/exec` and `pods/attach` run commands in, or take over the terminal of, a running
    container: whatever that pod can read (mounted Secrets, service account token, ePHI in
    memory) the subject reads too, without an audit trail of what was typed. `nodes/proxy`
    reaches the kubelet API, which can exec into every pod of the node and bypasses admission.
    Flags `create` or `get` (GET suffices over WebSocket before Kubernetes 1.31, and on
    nodes/proxy always), directly or through `*` verbs, resources or API groups and `*/exec`.
    A rule limited by resourceNames still fails: exec into a named pod is still exec.

    Remediation: remove the grant from standing roles; give break-glass debugging access
    through a separate, time-limited and audited role:

        rules:
          - apiGroups: [""]
            resources: ["pods", "pods/log"]
            verbs: ["get", "list", "watch"]
    """
    problems = [_describe(*found) for found in _granting_rules(role, WORKLOAD_ENTRY_GRANTS)]
    if problems:
        return Result.failed(f"{_kind(role)} {'; '.join(problems)}")
    return Result.passed(f"{_kind(role)} grants no pods/exec, pods/attach or nodes/proxy access")


CSR_APPROVE_GRANTS = (
    Grant(frozenset({"approve"}), "certificates.k8s.io", "signers"),
    Grant(frozenset({"approve"}), "certificates.k8s.io", "certificatesigningrequests/approval"),
)
# Signers whose certificates the API server or the kubelet trust for authentication.
BUILT_IN_SIGNER_PREFIX = "kubernetes.io/"


def _limited_to_custom_signers(rule: Mapping[str, Any]) -> bool:
    names = _names(rule)
    return bool(names) and not any(
        name.startswith(BUILT_IN_SIGNER_PREFIX) or "*" in name for name in names
    )


@check(
    id="k8s_rbac_role_no_csr_approval",
    title="Roles and ClusterRoles do not grant approving certificate signing requests",
    severity="high",
    resource_types=ROLE_TYPES,
    references={"checkov": ["CKV_K8S_156"], "cis_kubernetes_v1.10": ["5.1.11"]},
)
def k8s_rbac_role_no_csr_approval(role: Resource) -> Result:
    """Approving a CertificateSigningRequest for a built-in signer
    (`kubernetes.io/kube-apiserver-client`, `kubernetes.io/kubelet-serving`, ...) mints a
    client certificate the API server trusts: the subject can become any user or group,
    system:masters included, and a certificate cannot be revoked before it expires. Flags the
    `approve` verb (or `*`) on `signers` or `certificatesigningrequests/approval` in
    certificates.k8s.io, unless the rule's resourceNames name only custom signers (outside
    `kubernetes.io/`, no wildcard), which is how a controller for its own signer is meant to be
    scoped.

    Remediation: let the built-in controllers approve kubelet certificates; scope a custom
    approver to its own signer:

        rules:
          - apiGroups: ["certificates.k8s.io"]
            resources: ["signers"]
            resourceNames: ["example.com/payments-mtls"]
            verbs: ["approve"]
    """
    problems = [
        _describe(number, rule, grants)
        for number, rule, grants in _granting_rules(role, CSR_APPROVE_GRANTS)
        if not _limited_to_custom_signers(rule)
    ]
    if problems:
        return Result.failed(f"{_kind(role)} {'; '.join(problems)}")
    return Result.passed(f"{_kind(role)} grants no approval of built-in signer certificates")


WEBHOOK_WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})
WEBHOOK_GRANTS = (
    Grant(WEBHOOK_WRITE_VERBS, "admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    Grant(WEBHOOK_WRITE_VERBS, "admissionregistration.k8s.io", "validatingwebhookconfigurations"),
)


@check(
    id="k8s_rbac_role_no_webhook_config_write",
    title="Roles and ClusterRoles cannot change admission webhook configurations",
    severity="high",
    resource_types=ROLE_TYPES,
    references={"checkov": ["CKV_K8S_155"], "cis_kubernetes_v1.10": ["5.1.12"]},
)
def k8s_rbac_role_no_webhook_config_write(role: Resource) -> Result:
    """A mutating webhook sees, and may rewrite, every object it registers for: Secrets as they
    are created, pods (add a sidecar, swap an image). Whoever can create, update or patch
    webhook configurations can route those requests to their own server; deleting a validating
    webhook switches off the policy it enforces (Gatekeeper, Kyverno). Flags create, update,
    patch, delete and deletecollection (or `*`) on mutating or validating webhook
    configurations; resourceNames do not help, since a named configuration can be re-pointed.

    Remediation: keep webhook configurations in the deployment pipeline; an operator that must
    update its own CA bundle should be the only subject with the grant, with a documented skip:

        metadata:
          annotations:
            comply.dev/skip: "k8s_rbac_role_no_webhook_config_write=injects its own caBundle"
    """
    problems = [_describe(*found) for found in _granting_rules(role, WEBHOOK_GRANTS)]
    if problems:
        return Result.failed(f"{_kind(role)} {'; '.join(problems)}")
    return Result.passed(f"{_kind(role)} cannot change admission webhook configurations")
