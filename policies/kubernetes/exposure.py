"""Exposure beyond the cluster: Services that publish pods on nodes or load balancers, and
ingress-nginx configuration snippets that let an Ingress author rewrite the controller."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from policies.kubernetes.network import (
    NETWORK_POLICY_TYPE,
    allows_all_ingress,
    ingress_policies_by_namespace,
    selector_matches,
    unreadable_policies_verdict,
)
from policies.pod_views import WORKLOAD_TYPES, is_true, mapping, pod_labels, pod_spec, quoted
from scanner.core.model import Resource, Result
from scanner.core.registry import check

SERVICE_TYPE = "kubernetes_service"
EXTERNAL_SERVICE_TYPES = ("LoadBalancer", "NodePort")


def is_externally_exposed(service: Resource) -> bool:
    """Services of type LoadBalancer or NodePort"""
    return mapping(service.get("spec")).get("type") in EXTERNAL_SERVICE_TYPES


def _selects(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """A Service selector is a plain map: every key must match (no expressions)."""
    return all(key in labels and str(labels[key]) == str(value) for key, value in selector.items())


def _service_verdict(
    service: Resource,
    workloads_by_namespace: Mapping[Any, list[Resource]],
    policies_by_namespace: dict[Any, list[Resource]],
    unreadable: Mapping[Any, list[str]],
) -> Result:
    spec = mapping(service.get("spec"))
    kind = spec.get("type")
    selector = mapping(spec.get("selector"))
    if not selector:
        return Result.unknown(
            f"{kind} Service has no selector: its endpoints are managed outside the manifest, so "
            f"the pods it exposes are not known"
        )
    namespace = service.get("namespace")
    exposed = [
        w for w in workloads_by_namespace.get(namespace, ()) if _selects(selector, pod_labels(w))
    ]
    if not exposed:
        return Result.unknown(
            f"{kind} Service selects no workload among the scanned manifests of namespace "
            f"{namespace}: scan it with the workloads it exposes"
        )
    if unreadable.get(namespace):
        return unreadable_policies_verdict(namespace, unreadable)
    unprotected, notes = [], []
    for workload in exposed:
        selecting = [
            p
            for p in policies_by_namespace.get(namespace, ())
            if selector_matches(mapping(p.get("spec.podSelector")), pod_labels(workload))
        ]
        if not selecting:
            unprotected.append(f"{workload.id} (no ingress NetworkPolicy selects its pods)")
        elif is_true(pod_spec(workload).get("hostNetwork")):
            unprotected.append(f"{workload.id} (hostNetwork: NetworkPolicy does not apply)")
        elif all(allows_all_ingress(p) for p in selecting):
            notes.append(f"{workload.id} is selected only by policies that admit all ingress")
    if unprotected:
        return Result.failed(f"{kind} Service exposes {'; '.join(unprotected)}")
    note = f" ({'; '.join(notes)}: a deliberate public exposure)" if notes else ""
    return Result.passed(
        f"{kind} Service exposes {quoted(w.id for w in exposed)}, each selected by an ingress "
        f"NetworkPolicy{note}"
    )


@check(
    id="k8s_service_exposed_workloads_isolated",
    title="LoadBalancer and NodePort Services expose only pods an ingress NetworkPolicy restricts",
    severity="high",
    resource_types=[SERVICE_TYPE],
    context_types=[*WORKLOAD_TYPES, NETWORK_POLICY_TYPE],
    scope="inventory",
    applies_to=is_externally_exposed,
)
def k8s_service_exposed_workloads_isolated(
    resources: Sequence[Resource],
) -> Iterator[tuple[Resource, Result]]:
    """A LoadBalancer or NodePort Service opens its pods to whatever can reach the load balancer
    or any node's port range: often the internet. When no NetworkPolicy selects those pods, the
    Service's ports are the only limit, and the pods also accept every other connection from
    inside the cluster. Each such Service is matched to the workloads of its namespace whose pod
    labels its selector matches (among the scanned manifests); it passes when every one is
    selected by an ingress NetworkPolicy (matchLabels and matchExpressions as Kubernetes
    evaluates them) and does not use hostNetwork, to which NetworkPolicy does not apply. A
    policy that admits all ingress still counts here, since a public Service may mean it; the
    message says so, and `k8s_workload_network_policy_applied` judges how open the policies
    are. A Service without a selector (an empty one is the
    same to Kubernetes: endpoints managed elsewhere), or whose selector matches no scanned
    workload, is unknown: scan it together with its workloads. ClusterIP and ExternalName
    Services get no finding.

    Remediation: restrict who may reach the exposed pods, for example only the load balancer's
    subnet on the service port:

        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web-from-lb, namespace: web}
        spec:
          podSelector: {matchLabels: {app: web}}
          policyTypes: ["Ingress"]
          ingress:
            - from: [{ipBlock: {cidr: 10.0.0.0/16}}]
              ports: [{port: 8443}]
    """
    workloads: dict[Any, list[Resource]] = defaultdict(list)
    policies, unreadable = ingress_policies_by_namespace(resources)
    for resource in resources:
        if resource.type in WORKLOAD_TYPES:
            workloads[resource.get("namespace")].append(resource)
    for resource in resources:
        if resource.type == SERVICE_TYPE:
            yield resource, _service_verdict(resource, workloads, policies, unreadable)


# ingress-nginx (nginx.ingress.kubernetes.io/*-snippet) and NGINX Inc's controller
# (nginx.org/*-snippets) copy these annotations into the controller's NGINX configuration.
SNIPPET_PREFIXES = ("nginx.ingress.kubernetes.io/", "nginx.org/")


def _snippet_annotations(ingress: Resource) -> list[str]:
    annotations = mapping(ingress.get("metadata.annotations"))
    return sorted(
        str(key)
        for key, value in annotations.items()
        if str(key).startswith(SNIPPET_PREFIXES)
        and "snippet" in str(key).rsplit("/", 1)[-1]
        and value not in (None, "")
    )


@check(
    id="k8s_ingress_nginx_snippets_absent",
    title="Ingresses carry no NGINX configuration snippet annotations",
    severity="high",
    resource_types=["kubernetes_ingress"],
    references={"checkov": ["CKV_K8S_153"]},
)
def k8s_ingress_nginx_snippets_absent(ingress: Resource) -> Result:
    """Snippet annotations (`nginx.ingress.kubernetes.io/configuration-snippet`,
    `server-snippet`, `auth-snippet`, `stream-snippet`, ... and `nginx.org/*-snippets`) are
    pasted into the ingress controller's NGINX configuration. Whoever may create an Ingress can
    then read files of the controller, including its service account token, which reads every
    Secret of the cluster (CVE-2021-25742), or proxy to internal services. ingress-nginx
    disables them by default since v1.9 (`allow-snippet-annotations: false`); an Ingress that
    still carries them either needs that unsafe setting or silently does not get its
    configuration. Empty annotations pass.

    Remediation: replace the snippet with the controller's dedicated annotations (headers,
    rewrites, auth-url) or a global ConfigMap setting owned by the platform team, and keep
    `allow-snippet-annotations: "false"` in the controller's ConfigMap.
    """
    found = _snippet_annotations(ingress)
    if found:
        return Result.failed(f"Ingress carries NGINX snippet annotation(s): {quoted(found)}")
    return Result.passed("Ingress carries no NGINX snippet annotation")
