"""Read-only views of a Kubernetes workload's pod: the pieces every pod-spec check needs.

The Kubernetes source gives each of the nine workload kinds the same derived attributes
(`pod_spec`, `pod_metadata`, `containers`, see docs/resource-schema.md), so checks written against
these views never need to know where a Deployment or a CronJob keeps its pod template.

Manifests are literal, but they can still be malformed. `null` is absent, as the API server
reads it. A value of the wrong type (`privileged: "yes"`, `capabilities: {add: ALL}`,
`containers: "x"`) is never read as absent, since that would pass: these views raise
UnknownValueError naming what they met, and the engine reports the check `unknown` with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from scanner.core.model import Resource, Result, Unknown, UnknownValueError

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


def wrong_type(value: Any, expected: str, what: str = "a field") -> UnknownValueError:
    """The error for a manifest value of the wrong type: the check cannot judge it."""
    if isinstance(value, Unknown):
        return UnknownValueError(value.reason)
    shown_value = repr(value) if isinstance(value, str | int | float) else type(value).__name__
    return UnknownValueError(
        f"{what} is {shown_value}, not {expected} (the API server would reject it)"
    )


def mapping(value: Any, what: str = "a field") -> Mapping[str, Any]:
    """The value if it is a map, an empty one if absent (null); UnknownValueError otherwise."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return value
    raise wrong_type(value, "a map", what)


def sequence(value: Any, what: str = "a field") -> list[Any]:
    """The value if it is a list, an empty one if absent (null); UnknownValueError otherwise."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise wrong_type(value, "a list", what)


def dig(node: Any, *keys: str) -> Any:
    """Nested lookup in plain dicts; None as soon as a level is absent (null).

    A level that is there but not a map raises UnknownValueError: it is not absent."""
    walked: list[str] = []
    for key in keys:
        if node is None:
            return None
        if not isinstance(node, Mapping):
            raise wrong_type(node, "a map", ".".join(walked) or "the object")
        walked.append(key)
        node = node.get(key)
    return node


def pod_spec(resource: Resource) -> Mapping[str, Any]:
    return mapping(resource.get("pod_spec"), "the pod spec")


def pod_metadata(resource: Resource) -> Mapping[str, Any]:
    return mapping(resource.get("pod_metadata"))


def pod_security_context(resource: Resource) -> Mapping[str, Any]:
    return mapping(pod_spec(resource).get("securityContext"), "the pod securityContext")


def pod_labels(resource: Resource) -> Mapping[str, Any]:
    return mapping(pod_metadata(resource).get("labels"))


def pod_annotations(resource: Resource) -> Mapping[str, Any]:
    return mapping(pod_metadata(resource).get("annotations"))


def containers(resource: Resource, types: Iterable[str] | None = None) -> list[Mapping[str, Any]]:
    """Every container of the pod (containers, initContainers, ephemeralContainers), or only
    those whose `container_type` is in `types`."""
    wanted = None if types is None else set(types)
    found = [mapping(c, "a container") for c in sequence(resource.get("containers"), "containers")]
    return [c for c in found if wanted is None or c.get("container_type") in wanted]


def security_context(container: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(
        container.get("securityContext"), f"the securityContext of {container_label(container)}"
    )


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


def flag(value: Any, what: str = "a flag") -> bool | None:
    """A manifest boolean: None when absent; YAML strings "true"/"false" count, as some
    generators quote them. Anything else (`"yes"`, `1`, a list) raises UnknownValueError."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise wrong_type(value, "a boolean", what)


def is_true(value: Any, what: str = "a flag") -> bool:
    """A manifest flag that is on (see `flag` for what counts and what raises)."""
    return flag(value, what) is True


def is_false(value: Any, what: str = "a flag") -> bool:
    return flag(value, what) is False


def shown(value: Any) -> str:
    """A manifest value as YAML writes it (`true`, not Python's `True`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
