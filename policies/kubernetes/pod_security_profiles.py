"""Pod Security Standards (Kubernetes v1.31) baseline: the kernel-facing controls.

AppArmor, SELinux, seccomp, the /proc mount type and sysctls, each as the upstream baseline
profile defines it (https://kubernetes.io/docs/concepts/security/pod-security-standards/). These
checks forbid loosening the runtime's confinement; requiring a profile is PSS restricted
(pod_security_restricted.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.pod_views import (
    WORKLOAD_TYPES,
    container_label,
    containers,
    dig,
    judge_containers,
    mapping,
    pod_annotations,
    pod_security_context,
    pss_result,
    security_context,
    sequence,
)
from scanner.core.model import Resource, Result
from scanner.core.registry import check

APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
ALLOWED_PROFILE_TYPES = frozenset({"RuntimeDefault", "Localhost"})
# container_engine_t joined the allowed SELinux types in v1.31.
ALLOWED_SELINUX_TYPES = frozenset(
    {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)
# The sysctls baseline allows as of v1.29 (unchanged in v1.31): namespaced and isolated per pod.
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)


def _allowed_apparmor_annotation(value: Any) -> bool:
    text = str(value)
    return text in ("", "runtime/default") or text.startswith("localhost/")


def _profile_type(context: Mapping[str, Any], field: str) -> Any:
    return dig(context, field, "type")


@check(
    id="k8s_pod_apparmor_profile_allowed",
    title="Pods do not disable or override the default AppArmor profile",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
)
def k8s_pod_apparmor_profile_allowed(workload: Resource) -> Result:
    """AppArmor confines what a container may do with files, mounts and the network; setting it
    to unconfined removes that layer. PSS v1.31 baseline, "AppArmor": `appArmorProfile.type` of
    the pod or a container may only be RuntimeDefault or Localhost, and the beta annotation
    `container.apparmor.security.beta.kubernetes.io/<container>` only `runtime/default` or
    `localhost/<profile>`; unset is allowed.

    Remediation: remove the `Unconfined` setting or use the runtime's default profile:

        spec:
          securityContext:
            appArmorProfile:
              type: RuntimeDefault
    """
    problems = []
    pod_type = _profile_type(pod_security_context(workload), "appArmorProfile")
    if pod_type is not None and pod_type not in ALLOWED_PROFILE_TYPES:
        problems.append(f"the pod sets appArmorProfile.type {pod_type}")
    for container in containers(workload):
        value = _profile_type(security_context(container), "appArmorProfile")
        if value is not None and value not in ALLOWED_PROFILE_TYPES:
            problems.append(f"{container_label(container)} sets appArmorProfile.type {value}")
    for key, value in pod_annotations(workload).items():
        if str(key).startswith(APPARMOR_ANNOTATION_PREFIX) and not _allowed_apparmor_annotation(
            value
        ):
            name = str(key)[len(APPARMOR_ANNOTATION_PREFIX) :]
            problems.append(f'annotation sets AppArmor profile "{value}" for container "{name}"')
    if problems:
        return pss_result(Result.failed("; ".join(problems)), "baseline")
    return pss_result(Result.passed("no AppArmor profile is set to unconfined"), "baseline")


def _selinux_problem(options: Any, who: str) -> str | None:
    options = mapping(options)
    bad = []
    selinux_type = options.get("type")
    if selinux_type is not None and selinux_type not in ALLOWED_SELINUX_TYPES:
        bad.append(f"type {selinux_type}")
    for field in ("user", "role"):
        if options.get(field) not in (None, ""):
            bad.append(f"{field} {options[field]}")
    return f"{who} sets seLinuxOptions {', '.join(bad)}" if bad else None


@check(
    id="k8s_pod_selinux_options_allowed",
    title="Pods set no custom SELinux user, role or non-container type",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
)
def k8s_pod_selinux_options_allowed(workload: Resource) -> Result:
    """A custom SELinux type (spc_t, unconfined_t) or user/role lifts the SELinux confinement
    that keeps a container away from the host. PSS v1.31 baseline, "SELinux": `type` only
    container_t, container_init_t, container_kvm_t or container_engine_t; `user` and `role`
    unset.

    Remediation: remove the custom options; keep only a `level` if MCS labels are needed:

        securityContext:
          seLinuxOptions:
            level: "s0:c123,c456"
    """
    problems = []
    pod_problem = _selinux_problem(pod_security_context(workload).get("seLinuxOptions"), "the pod")
    if pod_problem:
        problems.append(pod_problem)
    for container in containers(workload):
        problem = _selinux_problem(
            security_context(container).get("seLinuxOptions"), container_label(container)
        )
        if problem:
            problems.append(problem)
    if problems:
        return pss_result(Result.failed("; ".join(problems)), "baseline")
    return pss_result(Result.passed("SELinux options are within the allowed set"), "baseline")


@check(
    id="k8s_container_proc_mount_default",
    title="Containers keep the default masked /proc mount",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
)
def k8s_container_proc_mount_default(workload: Resource) -> Result:
    """`procMount: Unmasked` exposes /proc paths the runtime normally masks (kernel memory,
    keys, sysrq), which helps a container attack the node. PSS v1.31 baseline, "/proc Mount
    Type": only Default.

    Remediation: remove `procMount` or set it to Default:

        securityContext:
          procMount: Default
    """

    def problem(container: Mapping[str, Any]) -> str | None:
        value = security_context(container).get("procMount")
        if value is not None and value != "Default":
            return f"{container_label(container)} sets procMount {value}"
        return None

    result = judge_containers(workload, problem, "every container uses the default /proc mount")
    return pss_result(result, "baseline")


@check(
    id="k8s_pod_seccomp_not_unconfined",
    title="Pods do not disable seccomp",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
)
def k8s_pod_seccomp_not_unconfined(workload: Resource) -> Result:
    """Seccomp filters the system calls a container may make; `Unconfined` exposes the whole
    kernel attack surface. PSS v1.31 baseline, "Seccomp": `seccompProfile.type` of the pod or a
    container may only be RuntimeDefault or Localhost, or unset. (Requiring a profile is the
    restricted check k8s_pod_seccomp_profile_required.)

    Remediation: remove `type: Unconfined`, or better, set the runtime default for the pod:

        spec:
          securityContext:
            seccompProfile:
              type: RuntimeDefault
    """
    problems = []
    pod_type = _profile_type(pod_security_context(workload), "seccompProfile")
    if pod_type is not None and pod_type not in ALLOWED_PROFILE_TYPES:
        problems.append(f"the pod sets seccompProfile.type {pod_type}")
    for container in containers(workload):
        value = _profile_type(security_context(container), "seccompProfile")
        if value is not None and value not in ALLOWED_PROFILE_TYPES:
            problems.append(f"{container_label(container)} sets seccompProfile.type {value}")
    if problems:
        return pss_result(Result.failed("; ".join(problems)), "baseline")
    return pss_result(Result.passed("no seccomp profile is set to Unconfined"), "baseline")


@check(
    id="k8s_pod_sysctls_safe",
    title="Pods set only safe, namespaced sysctls",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
)
def k8s_pod_sysctls_safe(workload: Resource) -> Result:
    """Unsafe sysctls are not isolated per pod: they change the kernel for every workload on the
    node or disable protections. PSS v1.31 baseline, "Sysctls": only kernel.shm_rmid_forced,
    net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies,
    net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time,
    net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl and net.ipv4.tcp_keepalive_probes.

    Remediation: remove the unsafe sysctl, or tune it on dedicated nodes instead of in the pod:

        spec:
          securityContext:
            sysctls:
              - name: net.ipv4.ip_local_port_range
                value: "1024 65535"
    """
    sysctls = sequence(pod_security_context(workload).get("sysctls"))
    unsafe = [str(dig(s, "name")) for s in sysctls if dig(s, "name") not in SAFE_SYSCTLS]
    if unsafe:
        return pss_result(
            Result.failed(f"the pod sets unsafe sysctls {', '.join(unsafe)}"), "baseline"
        )
    if sysctls:
        return pss_result(Result.passed(f"the pod sets {len(sysctls)} safe sysctl(s)"), "baseline")
    return pss_result(Result.passed("the pod sets no sysctls"), "baseline")
