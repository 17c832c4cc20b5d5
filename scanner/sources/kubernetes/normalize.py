"""Kubernetes objects -> canonical Resources (docs/resource-schema.md, "Kubernetes").

Types are `kubernetes_<kind in snake case>`, ids `Kind/namespace/name` (`Kind/name` for
cluster-scoped kinds), and workload kinds get the derived views `pod_spec`, `pod_metadata` and
`containers` so that checks never need to know where a kind keeps its pod template.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from scanner.core.model import Location, Resource, ScanError, ScanWarning, Unknown
from scanner.sources.kubernetes.skips import skips_from_metadata

SOURCE = "kubernetes"
DEFAULT_NAMESPACE = "default"

# Built-in (and a few ubiquitous add-on) kinds that live outside namespaces. Custom resources
# whose CustomResourceDefinition (scope: Cluster) is in the same scan are added to these.
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "APIService",
        "CertificateSigningRequest",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "ComponentStatus",
        "CSIDriver",
        "CSINode",
        "CustomResourceDefinition",
        "DeviceClass",
        "FlowSchema",
        "IngressClass",
        "IPAddress",
        "KubeletConfiguration",  # a node's kubelet config file, not an API object
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "SelfSubjectAccessReview",
        "SelfSubjectReview",
        "SelfSubjectRulesReview",
        "ServiceCIDR",
        "StorageClass",
        "StorageVersion",
        "StorageVersionMigration",
        "SubjectAccessReview",
        "TokenReview",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)

# Where each workload kind keeps its pod spec; the pod metadata sits next to it.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}
CONTAINER_FIELDS = (
    ("containers", "container"),
    ("initContainers", "initContainer"),
    ("ephemeralContainers", "ephemeralContainer"),
)


def is_kubernetes_object(data: object) -> bool:
    """A mapping with string `apiVersion` and `kind` that is not a tool's own config file."""
    if not isinstance(data, dict):
        return False
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not (isinstance(api_version, str) and api_version and isinstance(kind, str) and kind):
        return False
    return not is_tool_config(api_version, kind)


def is_tool_config(api_version: str, kind: str) -> bool:
    """Files that look like objects but configure a tool: kustomization, kubeconfig, skaffold."""
    group = api_version.partition("/")[0] if "/" in api_version else ""
    if group in ("kustomize.config.k8s.io", "kind.x-k8s.io"):
        return True
    if api_version.startswith("skaffold/"):
        return True
    return api_version == "v1" and kind == "Config"  # a kubeconfig


# Component configuration files in *.k8s.io groups that no API server serves: they carry no
# metadata.name (the loader gives them a synthetic one).
CONFIG_FILE_KINDS = frozenset({"KubeletConfiguration"})

BUILTIN_GROUPS = frozenset(
    {"", "apps", "batch", "autoscaling", "policy", "extensions", "events", "discovery"}
)


# Namespaced kinds the API server serves (the cluster-scoped ones and workloads are above).
NAMESPACED_BUILTIN_KINDS = frozenset(
    {
        "ConfigMap",
        "ControllerRevision",
        "CSIStorageCapacity",
        "Endpoints",
        "EndpointSlice",
        "Event",
        "HorizontalPodAutoscaler",
        "Ingress",
        "Lease",
        "LimitRange",
        "NetworkPolicy",
        "PersistentVolumeClaim",
        "PodDisruptionBudget",
        "ResourceQuota",
        "Role",
        "RoleBinding",
        "Secret",
        "Service",
        "ServiceAccount",
    }
)


def is_builtin_kind(api_version: str, kind: str) -> bool:
    """A kind the API server itself serves (`v1` ConfigMap, `apps/v1` Deployment...), which it
    rejects without a name; `v1` Policy (a scheduler config) and custom kinds are not."""
    group = api_version.rpartition("/")[0]
    if not (group in BUILTIN_GROUPS or group.endswith(".k8s.io")) or kind in CONFIG_FILE_KINDS:
        return False
    return (
        kind in NAMESPACED_BUILTIN_KINDS or kind in POD_SPEC_PATHS or (kind in CLUSTER_SCOPED_KINDS)
    )


def list_items(data: Mapping[str, Any]) -> list[Any] | None:
    """The items of a `List` / `<Kind>List` object, or None when it is not one."""
    kind = data.get("kind")
    items = data.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        return items
    return None


def item_kind(list_kind: str) -> str | None:
    """`DeploymentList` -> `Deployment`; `List` -> None (its items say what they are)."""
    return list_kind.removesuffix("List") or None


@lru_cache(maxsize=1024)
def resource_type(kind: str) -> str:
    """`Deployment` -> `kubernetes_deployment`, `CSIDriver` -> `kubernetes_csi_driver`."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", kind).lower()
    snake = re.sub(r"[^a-z0-9]+", "_", snake).strip("_")
    return f"kubernetes_{snake or 'object'}"


def is_workload(kind: str) -> bool:
    """By kind alone: every resource of a workload type gets the views, so that a check on
    `kubernetes_deployment` never meets one without them (a custom resource that reuses the kind
    name gets them too, None/empty when its layout differs)."""
    return kind in POD_SPEC_PATHS


def pod_metadata_path(kind: str) -> tuple[str, ...]:
    return (*POD_SPEC_PATHS[kind][:-1], "metadata")


@dataclass
class Normalized:
    resource: Resource | None
    errors: list[ScanError] = field(default_factory=list)
    warnings: list[ScanWarning] = field(default_factory=list)


def normalize_object(
    obj: dict[str, Any],
    *,
    file: str,
    start_line: int | None,
    end_line: int | None,
    line_of: Callable[[Sequence[str]], int | None],
    helm_source: str | None = None,
    unnamed: Callable[[str], str] | None = None,
) -> Normalized:
    """One object -> one Resource; an object that cannot be identified is an error.

    `unnamed(kind)` names an object of a non-built-in API group without metadata.name (kinds
    that tools other than the API server read, such as IstioOperator). A built-in kind without a
    name is a broken manifest (the API server rejects it): an error, as it is without `unnamed`.
    """
    kind: str = obj["kind"]
    metadata = obj.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        message = f"{kind}: metadata is a {type(metadata).__name__}, not a mapping; not loaded"
        return Normalized(None, [ScanError(file, message, start_line)])
    name = metadata.get("name") or metadata.get("generateName")
    if not isinstance(name, str) or not name:
        builtin = is_builtin_kind(str(obj.get("apiVersion")), kind)
        if unnamed is None or builtin or name not in (None, ""):
            message = f"{kind} object has no metadata.name; not loaded"
            return Normalized(None, [ScanError(file, message, start_line)])
        name = unnamed(kind)

    namespace = effective_namespace(kind, metadata)
    resource_id = object_id(kind, namespace, name)
    attributes: dict[str, Any] = dict(obj)
    attributes["namespace"] = namespace
    if helm_source is not None:
        attributes["helm_source"] = helm_source
    pod_meta: Any = None
    if is_workload(kind):
        pod_spec = _dig(obj, POD_SPEC_PATHS[kind])
        pod_meta = metadata if kind == "Pod" else _dig(obj, pod_metadata_path(kind))
        where = ".".join(POD_SPEC_PATHS[kind])
        if pod_spec is None or isinstance(pod_spec, dict):
            attributes["pod_spec"] = pod_spec
            attributes["containers"] = containers_of(pod_spec, where)
        else:  # a wrong type is not "no pod spec": every check of the pod is unknown
            why = Unknown(f"{where} is a {type(pod_spec).__name__}, not a map")
            attributes["pod_spec"] = attributes["containers"] = why
        attributes["pod_metadata"] = pod_meta if isinstance(pod_meta, dict) else {}

    resource = Resource(
        type=resource_type(kind),
        id=resource_id,
        source=SOURCE,
        location=Location(file=file, start_line=start_line, end_line=end_line),
        attributes=attributes,
        raw=obj,
    )
    result = Normalized(resource)
    blocks: list[tuple[Any, tuple[str, ...]]] = [(metadata, ("metadata",))]
    if kind != "Pod" and pod_meta is not None and pod_meta is not metadata:
        blocks.append((pod_meta, pod_metadata_path(kind)))
    for block, path in blocks:
        found = skips_from_metadata(
            block,
            object_name=resource_id,
            file=file,
            line_of=_annotation_line(line_of, path),
            fallback_line=start_line,
        )
        resource.skips.extend(found.skips)
        result.warnings.extend(found.warnings)
    return result


def _annotation_line(
    line_of: Callable[[Sequence[str]], int | None], metadata_path: tuple[str, ...]
) -> Callable[[str], int | None]:
    return lambda key: line_of((*metadata_path, "annotations", key))


def effective_namespace(kind: str, metadata: Mapping[str, Any]) -> str | None:
    if kind in CLUSTER_SCOPED_KINDS:
        return None
    namespace = metadata.get("namespace")
    return namespace if isinstance(namespace, str) and namespace else DEFAULT_NAMESPACE


def object_id(kind: str, namespace: str | None, name: str) -> str:
    return f"{kind}/{name}" if namespace is None else f"{kind}/{namespace}/{name}"


def containers_of(pod_spec: Any, where: str = "spec") -> list[dict[str, Any]] | Unknown:
    """Every container with its `container_type`; Unknown when a list or an entry has the wrong
    type (`containers: "x"`): the checks must not judge a pod with no containers instead."""
    if not isinstance(pod_spec, dict):
        return []
    containers: list[dict[str, Any]] = []
    for field_name, container_type in CONTAINER_FIELDS:
        entries = pod_spec.get(field_name)
        if entries is None:
            continue
        if not isinstance(entries, list):
            return Unknown(f"{where}.{field_name} is a {type(entries).__name__}, not a list")
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                return Unknown(
                    f"{where}.{field_name}[{index}] is a {type(entry).__name__}, not a map"
                )
            containers.append({"container_type": container_type, **entry})
    return containers


def make_cluster_scoped(resource: Resource) -> None:
    """Re-identify a custom resource once its CRD says `scope: Cluster`."""
    name = resource.id.split("/", 2)[2]  # Kind/namespace/name: kinds and namespaces hold no `/`
    resource.attributes["namespace"] = None
    resource.id = object_id(resource.attributes["kind"], None, name)


def cluster_scoped_crd_kinds(resources: Sequence[Resource]) -> set[str]:
    """Kinds that CustomResourceDefinitions in the scan declare with `scope: Cluster`."""
    kinds: set[str] = set()
    for resource in resources:
        if resource.type != "kubernetes_custom_resource_definition":
            continue
        spec = resource.attributes.get("spec")
        if isinstance(spec, dict) and spec.get("scope") == "Cluster":
            names = spec.get("names")
            kind = names.get("kind") if isinstance(names, dict) else None
            if isinstance(kind, str) and kind:
                kinds.add(kind)
    return kinds


def _dig(data: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
