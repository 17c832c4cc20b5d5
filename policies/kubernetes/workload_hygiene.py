"""Workload hygiene: resource requests and limits, health probes, image pinning, read-only root.

Availability (a noisy neighbour cannot starve the node; a hung process is restarted and taken out
of rotation) and integrity (what runs is what was reviewed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from policies.pod_views import (
    BATCH_TYPES,
    WORKLOAD_TYPES,
    container_label,
    dig,
    is_true,
    judge_containers,
    security_context,
    workload_kind,
)
from scanner.core.model import Resource, Result
from scanner.core.registry import check

# Ephemeral (debug) containers may not declare resources or probes: the API rejects them.
RESOURCE_CONTAINER_TYPES = ("container", "initContainer")
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def _resource_value(container: Mapping[str, Any], kind: str, name: str) -> Any:
    value = dig(container, "resources", kind, name)
    return None if value in (None, "") else value


@check(
    id="k8s_container_resource_requests_set",
    title="Containers request CPU and memory",
    severity="low",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_10", "CKV_K8S_12"]},
)
def k8s_container_resource_requests_set(workload: Resource) -> Result:
    """Without requests the scheduler places pods blind and they run BestEffort: first evicted
    under pressure and able to crowd out the node. A limit without a request counts as the
    request (Kubernetes copies it). Defaults a LimitRange would apply at admission are not
    visible in manifests and are not assumed.

    Remediation: request what the container needs at steady state:

        resources:
          requests:
            cpu: 250m
            memory: 256Mi
    """

    def problem(container: Mapping[str, Any]) -> str | None:
        missing = [
            name
            for name in ("cpu", "memory")
            if _resource_value(container, "requests", name) is None
            and _resource_value(container, "limits", name) is None
        ]
        if missing:
            return f"{container_label(container)} requests no {' or '.join(missing)}"
        return None

    return judge_containers(
        workload,
        problem,
        "every container requests CPU and memory",
        types=RESOURCE_CONTAINER_TYPES,
    )


@check(
    id="k8s_container_memory_limit_set",
    title="Containers set a memory limit",
    severity="low",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_13"]},
)
def k8s_container_memory_limit_set(workload: Resource) -> Result:
    """Without a memory limit a leaking or attacked container grows until the node runs out of
    memory and the kernel kills other workloads. (CPU limits are judged separately by
    `k8s_container_cpu_limit_set`: CPU is throttled, not exhausted.)

    Remediation:

        resources:
          limits:
            memory: 512Mi
    """

    def problem(container: Mapping[str, Any]) -> str | None:
        if _resource_value(container, "limits", "memory") is None:
            return f"{container_label(container)} has no memory limit"
        return None

    return judge_containers(
        workload, problem, "every container has a memory limit", types=RESOURCE_CONTAINER_TYPES
    )


@check(
    id="k8s_container_cpu_limit_set",
    title="Containers set a CPU limit",
    severity="low",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_11"]},
)
def k8s_container_cpu_limit_set(workload: Resource) -> Result:
    """Without a CPU limit a runaway or attacked container (a crypto-miner, a hot loop) can take
    every idle core of the node; with the namespace's ResourceQuota on `limits.cpu`, pods
    without one are rejected outright. A limit bounds each container, at the cost of throttling
    when it is reached: set it from measured peaks, not from the request. Defaults a LimitRange
    would apply at admission are not visible in manifests and are not assumed.

    Remediation:

        resources:
          requests:
            cpu: 250m
          limits:
            cpu: "1"
    """

    def problem(container: Mapping[str, Any]) -> str | None:
        if _resource_value(container, "limits", "cpu") is None:
            return f"{container_label(container)} has no CPU limit"
        return None

    return judge_containers(
        workload, problem, "every container has a CPU limit", types=RESOURCE_CONTAINER_TYPES
    )


def _probe_check(workload: Resource, field: str, what: str) -> Result:
    if workload.type in BATCH_TYPES:
        return Result.passed(f"{workload_kind(workload)} runs to completion: {field} not required")

    def problem(container: Mapping[str, Any]) -> str | None:
        if not container.get(field):
            return f"{container_label(container)} has no {field}"
        return None

    return judge_containers(
        workload, problem, f"every container has a {what} probe", types=("container",)
    )


@check(
    id="k8s_container_liveness_probe_configured",
    title="Long-running containers have a liveness probe",
    severity="low",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_8"]},
)
def k8s_container_liveness_probe_configured(workload: Resource) -> Result:
    """A liveness probe lets the kubelet restart a container that is running but hung
    (deadlock, exhausted pool), restoring the service without a human. Applies to app
    containers, not init containers; Jobs and CronJobs pass, their pods run to completion.

    Remediation:

        livenessProbe:
          httpGet: {path: /healthz, port: 8080}
          periodSeconds: 10
    """
    return _probe_check(workload, "livenessProbe", "liveness")


@check(
    id="k8s_container_readiness_probe_configured",
    title="Long-running containers have a readiness probe",
    severity="low",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_9"]},
)
def k8s_container_readiness_probe_configured(workload: Resource) -> Result:
    """Without a readiness probe a Service sends traffic to a pod as soon as its process starts
    and keeps sending it while the pod cannot serve, so rollouts and failures become errors for
    users. Applies to app containers, not init containers; Jobs and CronJobs pass.

    Remediation:

        readinessProbe:
          httpGet: {path: /ready, port: 8080}
          periodSeconds: 5
    """
    return _probe_check(workload, "readinessProbe", "readiness")


def image_tag(image: str) -> str | None:
    """The tag of an image reference, ignoring a registry port (`registry:5000/app`)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


@check(
    id="k8s_container_image_digest_pinned",
    title="Container images are pinned by digest",
    severity="low",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_43"]},
)
def k8s_container_image_digest_pinned(workload: Resource) -> Result:
    """Tags are mutable: whoever can push to the registry can change what `api:1.4.2` runs,
    without a change in the reviewed manifest. A digest (`@sha256:...`) names exactly the image
    that was scanned and approved.

    Remediation: deploy by digest (the tag may stay for readability):

        image: registry.example.com/api:1.4.2@sha256:<64 hex digits>
    """

    def problem(container: Mapping[str, Any]) -> str | None:
        image = container.get("image")
        if not image:
            return f"{container_label(container)} has no image"
        if not DIGEST.search(str(image)):
            return f"{container_label(container)} image {image} is not pinned by sha256 digest"
        return None

    return judge_containers(workload, problem, "every image is pinned by digest")


@check(
    id="k8s_container_image_tag_not_latest",
    title="Container images name a fixed tag, not latest or none",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_14"]},
)
def k8s_container_image_tag_not_latest(workload: Resource) -> Result:
    """`latest`, or no tag (which means latest), deploys whatever was pushed last: different
    nodes can run different code, and a rollback goes nowhere. A digest passes whatever the tag.

    Remediation: use a release tag, better a digest:

        image: registry.example.com/api:1.4.2
    """

    def problem(container: Mapping[str, Any]) -> str | None:
        image = container.get("image")
        label = container_label(container)
        if not image:
            return f"{label} has no image"
        if DIGEST.search(str(image)):
            return None
        tag = image_tag(str(image))
        if tag is None:
            return f"{label} image {image} has no tag (means latest)"
        if tag == "latest":
            return f"{label} image {image} uses the latest tag"
        return None

    return judge_containers(workload, problem, "every image names a fixed tag or digest")


@check(
    id="k8s_container_read_only_root_filesystem",
    title="Containers run with a read-only root filesystem",
    severity="low",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_22"]},
)
def k8s_container_read_only_root_filesystem(workload: Resource) -> Result:
    """A writable root filesystem lets an attacker drop tools or modify the application in the
    running container; read-only forces writes into declared volumes.

    Default: the root filesystem is writable.

    Remediation: make it read-only and mount an emptyDir where the app writes:

        securityContext:
          readOnlyRootFilesystem: true
        volumeMounts:
          - {name: tmp, mountPath: /tmp}
    """

    def problem(container: Mapping[str, Any]) -> str | None:
        if not is_true(security_context(container).get("readOnlyRootFilesystem")):
            return f"{container_label(container)} has a writable root filesystem"
        return None

    return judge_containers(workload, problem, "every container has a read-only root filesystem")
