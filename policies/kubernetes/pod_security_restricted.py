"""Pod Security Standards (Kubernetes v1.31) restricted: the hardening beyond baseline.

Each check is one control of the restricted profile as the upstream reference defines it
(https://kubernetes.io/docs/concepts/security/pod-security-standards/). The controls the reference
marks Linux-only (privilege escalation, seccomp, capabilities) pass for pods with
`spec.os.name: windows`, as the admission controller does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.pod_views import (
    WORKLOAD_TYPES,
    container_label,
    containers,
    dig,
    is_false,
    is_true,
    is_windows_pod,
    judge_containers,
    mapping,
    pod_security_context,
    pod_spec,
    pss_result,
    quoted,
    security_context,
    sequence,
    shown,
    workload_kind,
)
from scanner.core.model import Resource, Result
from scanner.core.registry import check

RESTRICTED_VOLUME_SOURCES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)
ALLOWED_SECCOMP_TYPES = frozenset({"RuntimeDefault", "Localhost"})
RESTRICTED_ADDABLE_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})

WINDOWS_EXEMPT = "spec.os.name is windows: the Linux-only control does not apply"


@check(
    id="k8s_pod_volume_types_restricted",
    title="Pods use only the volume types Pod Security restricted allows",
    severity="low",
    resource_types=WORKLOAD_TYPES,
)
def k8s_pod_volume_types_restricted(workload: Resource) -> Result:
    """Volume types such as nfs, iscsi, rbd, cephfs or gitRepo are mounted by the node on the
    pod's behalf, with node credentials, and bypass PersistentVolume access control. PSS v1.31
    restricted, "Volume Types": only configMap, csi, downwardAPI, emptyDir, ephemeral,
    persistentVolumeClaim, projected and secret.

    Remediation: mount other storage through a PersistentVolumeClaim bound to a PersistentVolume:

        volumes:
          - name: data
            persistentVolumeClaim:
              claimName: data
    """
    problems = []
    for volume in sequence(pod_spec(workload).get("volumes")):
        volume = mapping(volume)
        sources = [str(key) for key in volume if key != "name"]
        disallowed = [s for s in sources if s not in RESTRICTED_VOLUME_SOURCES]
        if disallowed:
            problems.append(f'volume "{volume.get("name", "?")}" is of type {quoted(disallowed)}')
    if problems:
        return pss_result(Result.failed("; ".join(problems)), "restricted")
    return pss_result(
        Result.passed(f"{workload_kind(workload)} uses only allowed volume types"), "restricted"
    )


@check(
    id="k8s_container_privilege_escalation_disabled",
    title="Containers set allowPrivilegeEscalation to false",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_20"]},
)
def k8s_container_privilege_escalation_disabled(workload: Resource) -> Result:
    """Unless `allowPrivilegeEscalation` is false, a process can gain more privileges than its
    parent (setuid binaries, file capabilities): the usual path from a foothold to root in the
    container. PSS v1.31 restricted, "Privilege Escalation" (Linux only).

    Default: escalation is allowed when the field is absent, so it must be set explicitly.

    Remediation: set it on every container, init and ephemeral container:

        securityContext:
          allowPrivilegeEscalation: false
    """
    if is_windows_pod(workload):
        return pss_result(Result.passed(WINDOWS_EXEMPT), "restricted")

    def problem(container: Mapping[str, Any]) -> str | None:
        value = security_context(container).get("allowPrivilegeEscalation")
        if is_false(value):
            return None
        if value is None:
            return (
                f"{container_label(container)} does not set allowPrivilegeEscalation (default true)"
            )
        return f"{container_label(container)} sets allowPrivilegeEscalation {shown(value)}"

    result = judge_containers(
        workload, problem, "every container sets allowPrivilegeEscalation false"
    )
    return pss_result(result, "restricted")


@check(
    id="k8s_container_run_as_non_root",
    title="Containers must run as a non-root user (runAsNonRoot)",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_23"]},
)
def k8s_container_run_as_non_root(workload: Resource) -> Result:
    """A process running as root in the container is root on the node if it escapes, and owns
    every file on mounted volumes. With `runAsNonRoot: true` the kubelet refuses to start a
    container whose user is 0. PSS v1.31 restricted, "Running as Non-root": true at pod level
    (containers may then omit it) or on every container; false anywhere fails.

    Remediation: require it for the whole pod:

        spec:
          securityContext:
            runAsNonRoot: true
            runAsUser: 10001
    """
    pod_value = pod_security_context(workload).get("runAsNonRoot")
    problems = []
    if is_false(pod_value):
        problems.append("the pod sets runAsNonRoot false")
    for container in containers(workload):
        value = security_context(container).get("runAsNonRoot")
        if is_false(value):
            problems.append(f"{container_label(container)} sets runAsNonRoot false")
        elif value is None and not is_true(pod_value):
            problems.append(f"{container_label(container)} does not set runAsNonRoot true")
    if problems:
        return pss_result(Result.failed("; ".join(problems)), "restricted")
    where = "the pod" if is_true(pod_value) else "every container"
    return pss_result(Result.passed(f"{where} sets runAsNonRoot true"), "restricted")


@check(
    id="k8s_container_run_as_user_not_root",
    title="Pods and containers do not set runAsUser 0",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
)
def k8s_container_run_as_user_not_root(workload: Resource) -> Result:
    """An explicit `runAsUser: 0` runs the process as root whatever the image says. PSS v1.31
    restricted, "Running as Non-root user": runAsUser unset or non-zero, at pod and container
    level.

    Remediation: run as an unprivileged UID the image supports:

        securityContext:
          runAsUser: 10001
    """
    problems = []
    if pod_security_context(workload).get("runAsUser") in (0, "0"):
        problems.append("the pod sets runAsUser 0")
    for container in containers(workload):
        if security_context(container).get("runAsUser") in (0, "0"):
            problems.append(f"{container_label(container)} sets runAsUser 0 (root)")
    if problems:
        return pss_result(Result.failed("; ".join(problems)), "restricted")
    return pss_result(Result.passed("no pod or container sets runAsUser 0"), "restricted")


@check(
    id="k8s_pod_seccomp_profile_required",
    title="Pods run every container under a RuntimeDefault or Localhost seccomp profile",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
    references={"checkov": ["CKV_K8S_31"]},
)
def k8s_pod_seccomp_profile_required(workload: Resource) -> Result:
    """Without a seccomp profile, most container runtimes under Kubernetes run containers
    Unconfined: every system call is reachable. PSS v1.31 restricted, "Seccomp" (Linux only):
    the pod's `seccompProfile.type` is RuntimeDefault or Localhost (containers may then omit
    theirs), or every container sets one of those.

    Remediation: set the runtime default once for the pod:

        spec:
          securityContext:
            seccompProfile:
              type: RuntimeDefault
    """
    if is_windows_pod(workload):
        return pss_result(Result.passed(WINDOWS_EXEMPT), "restricted")
    pod_type = dig(pod_security_context(workload), "seccompProfile", "type")
    problems = []
    if pod_type is not None and pod_type not in ALLOWED_SECCOMP_TYPES:
        problems.append(f"the pod sets seccompProfile.type {pod_type}")
    for container in containers(workload):
        value = dig(security_context(container), "seccompProfile", "type")
        if value is None:
            if pod_type not in ALLOWED_SECCOMP_TYPES:
                problems.append(f"{container_label(container)} has no seccomp profile")
        elif value not in ALLOWED_SECCOMP_TYPES:
            problems.append(f"{container_label(container)} sets seccompProfile.type {value}")
    if problems:
        return pss_result(Result.failed("; ".join(problems)), "restricted")
    where = f"the pod sets {pod_type}" if pod_type else "every container sets one"
    return pss_result(Result.passed(f"seccomp profile required: {where}"), "restricted")


@check(
    id="k8s_container_capabilities_drop_all",
    title="Containers drop ALL capabilities and add back at most NET_BIND_SERVICE",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
)
def k8s_container_capabilities_drop_all(workload: Resource) -> Result:
    """The runtime's default capability set (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW on some
    runtimes...) is more than an application needs. PSS v1.31 restricted, "Capabilities" (Linux
    only): `capabilities.drop` contains ALL and `capabilities.add` holds at most
    NET_BIND_SERVICE.

    Remediation:

        securityContext:
          capabilities:
            drop: ["ALL"]
            add: ["NET_BIND_SERVICE"]   # only if it binds a port below 1024
    """
    if is_windows_pod(workload):
        return pss_result(Result.passed(WINDOWS_EXEMPT), "restricted")

    def problem(container: Mapping[str, Any]) -> str | None:
        capabilities = mapping(security_context(container).get("capabilities"))
        bad = []
        if "ALL" not in sequence(capabilities.get("drop")):
            bad.append("does not drop ALL capabilities")
        extra = [
            str(c)
            for c in sequence(capabilities.get("add"))
            if c not in RESTRICTED_ADDABLE_CAPABILITIES
        ]
        if extra:
            bad.append(f"adds {quoted(extra)}")
        return f"{container_label(container)} {' and '.join(bad)}" if bad else None

    result = judge_containers(
        workload, problem, "every container drops ALL and adds at most NET_BIND_SERVICE"
    )
    return pss_result(result, "restricted")
