"""Network: TLS on Ingress hosts, and NetworkPolicy isolation of every workload's pods."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from policies.pod_views import (
    WORKLOAD_TYPES,
    is_true,
    mapping,
    pod_labels,
    pod_spec,
    sequence,
)
from scanner.core.model import Resource, Result, UnknownValueError
from scanner.core.registry import check

NETWORK_POLICY_TYPE = "kubernetes_network_policy"


def _tls_covers(tls_host: str, host: str) -> bool:
    """Exact match, or a `*.example.com` certificate name covering exactly one more label.
    Host names compare case-insensitively, as DNS does."""
    tls_host, host = tls_host.lower(), host.lower()
    if tls_host == host:
        return True
    if tls_host.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and head != "*" and rest == tls_host[2:]
    return False


@check(
    id="k8s_ingress_tls_covers_all_hosts",
    title="Ingresses terminate TLS for every host they serve",
    severity="high",
    resource_types=["kubernetes_ingress"],
)
def k8s_ingress_tls_covers_all_hosts(ingress: Resource) -> Result:
    """A host without a TLS entry is served over plain HTTP: credentials, session cookies and
    ePHI cross the network readable and modifiable. Every `rules[].host` must appear in some
    `tls[].hosts` (a `*.example.com` entry covers one label); a rule without a host, or a
    default backend, needs a `tls` entry without `hosts` (the controller's default
    certificate). Redirecting HTTP to HTTPS is controller-specific and not judged here.

    Remediation: add the host to a tls entry with its certificate Secret:

        spec:
          tls:
            - hosts: ["portal.example.com"]
              secretName: portal-tls
          rules:
            - host: portal.example.com
    """
    spec = mapping(ingress.get("spec"))
    tls_entries = [mapping(entry) for entry in sequence(spec.get("tls"))]
    tls_hosts = [str(h) for entry in tls_entries for h in sequence(entry.get("hosts"))]
    default_cert = any(not sequence(entry.get("hosts")) for entry in tls_entries)
    rule_hosts = [mapping(rule).get("host") for rule in sequence(spec.get("rules"))]
    if not rule_hosts and (spec.get("defaultBackend") or spec.get("backend")):
        rule_hosts = [None]
    if not tls_entries:
        served = ", ".join(str(h) for h in rule_hosts if h) or "every host"
        return Result.failed(f"Ingress has no tls section: {served} served over plain HTTP")
    uncovered = []
    for host in rule_hosts:
        if host is None or host == "":
            if not default_cert:
                uncovered.append("(rule without host)")
        elif not any(_tls_covers(tls_host, str(host)) for tls_host in tls_hosts):
            uncovered.append(str(host))
    if uncovered:
        return Result.failed(f"no tls entry covers host(s) {', '.join(uncovered)}")
    return Result.passed(f"tls covers all {len(rule_hosts)} host rule(s)")


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """Kubernetes label selector semantics; an empty selector selects everything."""
    for key, value in mapping(selector.get("matchLabels")).items():
        if key not in labels or str(labels[key]) != str(value):
            return False
    for expression in sequence(selector.get("matchExpressions")):
        expression = mapping(expression)
        key, operator = str(expression.get("key")), expression.get("operator")
        values = {str(v) for v in sequence(expression.get("values"))}
        present = key in labels
        if operator == "In":
            matched = present and str(labels[key]) in values
        elif operator == "NotIn":
            matched = not present or str(labels[key]) not in values
        elif operator == "Exists":
            matched = present
        elif operator == "DoesNotExist":
            matched = not present
        else:
            matched = False  # an invalid selector: the API server would reject it
        if not matched:
            return False
    return True


def policy_types(policy: Resource) -> set[str]:
    spec = mapping(policy.get("spec"), "spec")
    declared = sequence(spec.get("policyTypes"), "spec.policyTypes")
    if declared:
        return {str(t) for t in declared}
    # Defaults: Ingress always; Egress when the policy has egress rules.
    return {"Ingress", "Egress"} if "egress" in spec else {"Ingress"}


def _peer_is_everyone(peer: Any) -> bool:
    """`namespaceSelector: {}` (every pod of every namespace, when podSelector is absent or
    empty), or an `ipBlock` of 0.0.0.0/0 or ::/0 without `except`."""
    peer = mapping(peer)
    if "namespaceSelector" in peer:
        return not mapping(peer.get("namespaceSelector")) and not mapping(peer.get("podSelector"))
    block = mapping(peer.get("ipBlock"))
    if block and not sequence(block.get("except")):
        try:
            return ipaddress.ip_network(str(block.get("cidr")), strict=False).prefixlen == 0
        except ValueError:
            return False
    return False


def allows_all_ingress(policy: Resource) -> bool:
    """An ingress rule without `ports` whose `from` is absent, empty, or names a peer that is
    everyone admits every source on every port."""
    for rule in sequence(mapping(policy.get("spec"), "spec").get("ingress"), "spec.ingress"):
        rule = mapping(rule, "an ingress rule")
        if sequence(rule.get("ports")):
            continue
        peers = sequence(rule.get("from"))
        if not peers or any(_peer_is_everyone(peer) for peer in peers):
            return True
    return False


def _is_default_deny(policy: Resource) -> bool:
    spec = mapping(policy.get("spec"))
    return not mapping(spec.get("podSelector")) and not sequence(spec.get("ingress"))


def _policy_label(policy: Resource) -> str:
    return f"{policy.get('namespace')}/{policy.get('metadata.name')}"


def _shape_problem(policy: Resource) -> str | None:
    """Why a NetworkPolicy cannot be read (a field of the wrong type, e.g. a string `spec`),
    or None. Such a policy is neither default-deny nor open: what it does is unknown."""
    try:
        policy_types(policy)
        selector_matches(mapping(policy.get("spec.podSelector"), "spec.podSelector"), {})
        allows_all_ingress(policy)
        _is_default_deny(policy)
    except UnknownValueError as exc:
        return exc.reason
    return None


def ingress_policies_by_namespace(
    resources: Iterable[Resource],
) -> tuple[dict[Any, list[Resource]], dict[Any, list[str]]]:
    """Ingress NetworkPolicies by namespace, and the policies that cannot be read, described."""
    readable: dict[Any, list[Resource]] = defaultdict(list)
    unreadable: dict[Any, list[str]] = defaultdict(list)
    for policy in resources:
        if policy.type != NETWORK_POLICY_TYPE:
            continue
        problem = _shape_problem(policy)
        if problem is not None:
            unreadable[policy.get("namespace")].append(f"{_policy_label(policy)} ({problem})")
        elif "Ingress" in policy_types(policy):
            readable[policy.get("namespace")].append(policy)
    return readable, unreadable


def unreadable_policies_verdict(namespace: Any, unreadable: Mapping[Any, list[str]]) -> Result:
    return Result.unknown(
        f"NetworkPolicy {'; '.join(unreadable[namespace])} in namespace {namespace} cannot be "
        "read: whether it selects and isolates these pods is unknown"
    )


def workload_isolation_verdict(
    workload: Resource,
    policies_by_namespace: dict[Any, list[Resource]],
    unreadable: Mapping[Any, list[str]] | None = None,
) -> Result:
    namespace = workload.get("namespace")
    labels = pod_labels(workload)
    selecting = [
        p
        for p in policies_by_namespace.get(namespace, ())
        if selector_matches(mapping(p.get("spec.podSelector")), labels)
    ]
    # Policies add up: one that admits all ingress opens the pods whatever the others deny.
    open_policies = [p for p in selecting if allows_all_ingress(p)]
    if open_policies:
        names = ", ".join(_policy_label(p) for p in open_policies)
        return Result.failed(f"NetworkPolicy {names} selects its pods and allows all ingress")
    if unreadable and unreadable.get(namespace):
        return unreadable_policies_verdict(namespace, unreadable)
    if not selecting:
        return Result.failed(
            f"no NetworkPolicy with policyTypes Ingress in namespace {namespace} selects its "
            f"pods: all ingress is allowed"
        )
    if is_true(pod_spec(workload).get("hostNetwork")):
        return Result.failed(
            "selected by a NetworkPolicy, but the pod uses hostNetwork, to which NetworkPolicy "
            "does not apply"
        )
    deny = [p for p in selecting if _is_default_deny(p)]
    if deny:
        return Result.passed(
            f"namespace default-deny ingress NetworkPolicy {_policy_label(deny[0])}"
        )
    names = ", ".join(_policy_label(p) for p in selecting)
    return Result.passed(f"ingress restricted by NetworkPolicy {names}")


@check(
    id="k8s_workload_network_policy_applied",
    title="Every workload's pods are selected by an ingress NetworkPolicy",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
    context_types=[NETWORK_POLICY_TYPE],
    scope="inventory",
)
def k8s_workload_network_policy_applied(
    resources: Sequence[Resource],
) -> Iterator[tuple[Resource, Result]]:
    """Pods that no NetworkPolicy selects accept traffic from every pod in the cluster: one
    compromised workload reaches every database and internal API. A workload passes when a
    NetworkPolicy in its namespace selects its pod labels (`podSelector: {}` selects all;
    matchLabels and matchExpressions as Kubernetes evaluates them) with policyTypes including
    Ingress, and no selecting policy allows all ingress (policies add up): an ingress rule
    without ports whose `from` is absent or empty (`- {}`), or names `namespaceSelector: {}`
    (every pod of the cluster) or an ipBlock of 0.0.0.0/0 or ::/0 without `except`. A
    namespace-wide default deny (`podSelector: {}` and no ingress rules) is reported as such.

    Only policies among the scanned manifests count: scan the chart together with the
    namespace's policies. NetworkPolicies are evidence, not subjects: they get no finding of
    their own. A hostNetwork pod fails: NetworkPolicy does not apply to it.

    Remediation: add a default-deny policy to the namespace and allow what each workload needs:

        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny-ingress, namespace: payments}
        spec:
          podSelector: {}
          policyTypes: ["Ingress"]
    """
    # Index ingress policies by namespace once: a large cluster has thousands of each.
    by_namespace, unreadable = ingress_policies_by_namespace(resources)
    for workload in resources:
        if workload.type != NETWORK_POLICY_TYPE:
            yield workload, workload_isolation_verdict(workload, by_namespace, unreadable)
