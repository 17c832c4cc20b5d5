"""Pod Security Standards (Kubernetes v1.31) baseline: host isolation and privileged access.

Each check is one control of the baseline profile as the upstream reference defines it
(https://kubernetes.io/docs/concepts/security/pod-security-standards/), evaluated on every
workload kind over containers, initContainers and ephemeralContainers. The kernel-facing baseline
controls (AppArmor, SELinux, seccomp, /proc mount, sysctls) are in pod_security_profiles.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.pod_views import (
    WORKLOAD_TYPES,
    container_label,
    containers,
    dig,
    is_true,
    judge_containers,
    mapping,
    pod_security_context,
    pod_spec,
    pss_result,
    quoted,
    security_context,
    sequence,
    workload_kind,
)
from scanner.core.model import Resource, Result
from scanner.core.registry import check

# Capabilities baseline lets a container add: the container runtime's default set.
BASELINE_ALLOWED_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)


def _host_namespace(resource: Resource, field: str, what: str) -> Result:
    if is_true(pod_spec(resource).get(field)):
        result = Result.failed(f"{field} is true: the pod shares the host's {what} namespace")
    else:
        result = Result.passed(f"{field} is not enabled")
    return pss_result(result, "baseline")


@check(
    id="k8s_pod_host_network_disabled",
    title="Pods do not use the host network namespace",
    severity="high",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_19"]},
)
def k8s_pod_host_network_disabled(workload: Resource) -> Result:
    """A pod on the host network sees every interface of the node, can bind its ports and sniff
    traffic of other pods, and bypasses NetworkPolicy. PSS v1.31 baseline, "Host Namespaces".

    Default: `hostNetwork` is false.

    Remediation: remove `hostNetwork: true` and expose the port through a Service:

        spec:
          template:
            spec:
              hostNetwork: false
    """
    return _host_namespace(workload, "hostNetwork", "network")


@check(
    id="k8s_pod_host_pid_disabled",
    title="Pods do not use the host process ID namespace",
    severity="high",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_17"]},
)
def k8s_pod_host_pid_disabled(workload: Resource) -> Result:
    """With the host PID namespace a container sees every process on the node, can read their
    environment (credentials) and, with ptrace or as root, act on them. PSS v1.31 baseline,
    "Host Namespaces".

    Default: `hostPID` is false.

    Remediation: remove `hostPID: true`:

        spec:
          hostPID: false
    """
    return _host_namespace(workload, "hostPID", "process ID")


@check(
    id="k8s_pod_host_ipc_disabled",
    title="Pods do not use the host IPC namespace",
    severity="high",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_18"]},
)
def k8s_pod_host_ipc_disabled(workload: Resource) -> Result:
    """With the host IPC namespace a container can read and write the shared memory and message
    queues of every process on the node. PSS v1.31 baseline, "Host Namespaces".

    Default: `hostIPC` is false.

    Remediation: remove `hostIPC: true`:

        spec:
          hostIPC: false
    """
    return _host_namespace(workload, "hostIPC", "IPC")


@check(
    id="k8s_pod_host_process_disabled",
    title="Windows pods do not run as HostProcess containers",
    severity="high",
    resource_types=WORKLOAD_TYPES,
)
def k8s_pod_host_process_disabled(workload: Resource) -> Result:
    """A Windows HostProcess container runs directly on the node with host-level access: the
    Windows counterpart of a privileged container. PSS v1.31 baseline, "HostProcess".

    Default: `windowsOptions.hostProcess` is false, at pod and container level.

    Remediation: remove `hostProcess: true` from the pod and container security contexts:

        spec:
          securityContext:
            windowsOptions:
              hostProcess: false
    """
    problems = []
    if is_true(dig(pod_security_context(workload), "windowsOptions", "hostProcess")):
        problems.append("the pod sets securityContext.windowsOptions.hostProcess true")
    for container in containers(workload):
        if is_true(dig(security_context(container), "windowsOptions", "hostProcess")):
            problems.append(f"{container_label(container)} sets windowsOptions.hostProcess true")
    if problems:
        return pss_result(Result.failed("; ".join(problems)), "baseline")
    return pss_result(Result.passed("no HostProcess container"), "baseline")


@check(
    id="k8s_container_privileged_disabled",
    title="Containers do not run privileged",
    severity="critical",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_16"]},
)
def k8s_container_privileged_disabled(workload: Resource) -> Result:
    """A privileged container has every capability and every host device: it is root on the node,
    a step away from every other workload and secret there. PSS v1.31 baseline, "Privileged
    Containers".

    Default: `securityContext.privileged` is false.

    Remediation: remove `privileged: true`; grant only the capability the workload needs:

        containers:
          - name: api
            securityContext:
              privileged: false
    """

    def problem(container: Mapping[str, Any]) -> str | None:
        if is_true(
            security_context(container).get("privileged"),
            f"securityContext.privileged of {container_label(container)}",
        ):
            return f"{container_label(container)} runs privileged"
        return None

    return pss_result(
        judge_containers(workload, problem, "no container runs privileged"), "baseline"
    )


@check(
    id="k8s_container_capabilities_within_baseline",
    title="Containers add no Linux capability beyond the Pod Security baseline set",
    severity="high",
    resource_types=WORKLOAD_TYPES,
)
def k8s_container_capabilities_within_baseline(workload: Resource) -> Result:
    """Capabilities such as SYS_ADMIN, NET_ADMIN, NET_RAW or SYS_PTRACE give a container powers
    over the kernel and the node's network that lead to escape or traffic interception. PSS v1.31
    baseline allows adding only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
    NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT (names as written, without
    a `CAP_` prefix).

    Remediation: drop the extra capability from `securityContext.capabilities.add`:

        securityContext:
          capabilities:
            drop: ["ALL"]
            add: ["NET_BIND_SERVICE"]
    """

    def problem(container: Mapping[str, Any]) -> str | None:
        added = sequence(
            dig(security_context(container), "capabilities", "add"),
            f"securityContext.capabilities.add of {container_label(container)}",
        )
        extra = [str(c) for c in added if c not in BASELINE_ALLOWED_CAPABILITIES]
        if extra:
            return f"{container_label(container)} adds capabilities {quoted(extra)}"
        return None

    result = judge_containers(
        workload, problem, "no container adds a capability beyond the baseline set"
    )
    return pss_result(result, "baseline")


@check(
    id="k8s_pod_host_path_volumes_absent",
    title="Pods mount no hostPath volumes",
    severity="high",
    resource_types=WORKLOAD_TYPES,
)
def k8s_pod_host_path_volumes_absent(workload: Resource) -> Result:
    """A hostPath volume exposes the node's filesystem to the pod: the container runtime socket,
    kubelet credentials, other pods' data. PSS v1.31 baseline, "HostPath Volumes".

    Remediation: use an emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim instead:

        volumes:
          - name: cache
            emptyDir: {}
    """
    found = []
    for volume in sequence(pod_spec(workload).get("volumes")):
        volume = mapping(volume)
        if "hostPath" in volume:
            path = dig(volume, "hostPath", "path")
            found.append(f'volume "{volume.get("name", "?")}" mounts host path {path}')
    if found:
        return pss_result(Result.failed("; ".join(found)), "baseline")
    return pss_result(
        Result.passed(f"{workload_kind(workload)} declares no hostPath volume"), "baseline"
    )


@check(
    id="k8s_container_host_ports_absent",
    title="Containers bind no host ports",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_26"]},
)
def k8s_container_host_ports_absent(workload: Resource) -> Result:
    """A hostPort opens a port on the node's own address, bypassing Services and often the
    network policy and firewall rules meant to guard the workload. PSS v1.31 baseline,
    "Host Ports" (0 means unset).

    Remediation: remove `hostPort` and publish the port through a Service or an Ingress:

        ports:
          - containerPort: 8443
    """

    def problem(container: Mapping[str, Any]) -> str | None:
        ports = [
            dig(port, "hostPort")
            for port in sequence(container.get("ports"))
            if dig(port, "hostPort") not in (None, 0, "0")
        ]
        if ports:
            return f"{container_label(container)} binds host port(s) {quoted(ports)}"
        return None

    return pss_result(
        judge_containers(workload, problem, "no container binds a host port"), "baseline"
    )
