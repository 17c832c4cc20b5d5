"""Read-only views of a Kubernetes workload's pod: the pieces every pod-spec check needs.

The Kubernetes source gives each of the nine workload kinds the same derived attributes
(`pod_spec`, `pod_metadata`, `containers`, see docs/resource-schema.md), so checks written against
these views never need to know where a Deployment or a CronJob keeps its pod template.

Manifests are literal, but they can still be malformed (`securityContext: null`, a string where a
map belongs); these views treat a value of the wrong shape as absent rather than crash a check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from scanner.core.model import Resource, Result

# The Pod Security Standards version the pss checks implement, field by field.
PSS_VERSION = "v1.31"

WORKLOAD_TYPES: tuple[str, ...] = (
    "kubernetes_pod",
    "kubernetes_deployment",
    "kubernetes_replica_set",
    "kubernetes_stateful_set",
    "kubernetes_daemon_set",
    "kubernetes_job",
    "kubernetes_cron_job",
    "kubernetes_replication_controller",
    "kubernetes_pod_template",
)

# Kinds whose pods run to completion: long-running health probes do not apply to them.
BATCH_TYPES = frozenset({"kubernetes_job", "kubernetes_cron_job"})


def mapping(value: Any) -> Mapping[str, Any]:
    """The value if it is a map, else an empty one (absent, null, or malformed)."""
    return value if isinstance(value, Mapping) else {}


def sequence(value: Any) -> list[Any]:
    """The value if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def dig(node: Any, *keys: str) -> Any:
    """Nested lookup in plain dicts; None as soon as a level is absent or not a map."""
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def pod_spec(resource: Resource) -> Mapping[str, Any]:
    return mapping(resource.get("pod_spec"))


def pod_metadata(resource: Resource) -> Mapping[str, Any]:
    return mapping(resource.get("pod_metadata"))


def pod_security_context(resource: Resource) -> Mapping[str, Any]:
    return mapping(pod_spec(resource).get("securityContext"))


def pod_labels(resource: Resource) -> Mapping[str, Any]:
    return mapping(pod_metadata(resource).get("labels"))


def pod_annotations(resource: Resource) -> Mapping[str, Any]:
    return mapping(pod_metadata(resource).get("annotations"))


def containers(resource: Resource, types: Iterable[str] | None = None) -> list[Mapping[str, Any]]:
    """Every container of the pod (containers, initContainers, ephemeralContainers), or only
    those whose `container_type` is in `types`."""
    wanted = None if types is None else set(types)
    found = [c for c in sequence(resource.get("containers")) if isinstance(c, Mapping)]
    return [c for c in found if wanted is None or c.get("container_type") in wanted]


def security_context(container: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(container.get("securityContext"))


def container_label(container: Mapping[str, Any]) -> str:
    """How a message names a container: `container "api"`, `initContainer "migrate"`."""
    kind = container.get("container_type") or "container"
    return f'{kind} "{container.get("name", "?")}"'


def is_windows_pod(resource: Resource) -> bool:
    """PSS restricted's Linux-only controls do not apply when `spec.os.name` is windows."""
    return bool(dig(pod_spec(resource), "os", "name") == "windows")


def workload_kind(resource: Resource) -> str:
    return str(resource.get("kind") or resource.type)


def judge_containers(
    resource: Resource,
    problem: Callable[[Mapping[str, Any]], str | None],
    passed: str,
    *,
    types: Iterable[str] | None = None,
) -> Result:
    """Fail with every container's problem (one sentence each), or pass with `passed`.

    `problem(container)` returns None when the container is fine, else a message that names it.
    """
    selected = containers(resource, types)
    if not selected:
        return Result.passed(f"{workload_kind(resource)} declares no containers to evaluate")
    problems = [p for p in (problem(c) for c in selected) if p]
    if problems:
        return Result.failed("; ".join(problems))
    return Result.passed(passed)


def quoted(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def pss_result(result: Result, level: str) -> Result:
    """Tag a Pod Security Standards verdict with the version and level it was judged against."""
    return Result(result.status, f"{result.message} [PSS {PSS_VERSION} {level}]")


def is_true(value: Any) -> bool:
    """A manifest flag that is on; YAML strings "true" count, as some generators quote them."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def shown(value: Any) -> str:
    """A manifest value as YAML writes it (`true`, not Python's `True`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
