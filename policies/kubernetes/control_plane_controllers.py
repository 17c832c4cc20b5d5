"""kube-controller-manager and kube-scheduler flags in control-plane manifests.

Recognition of the components and flag reading: control_plane_flags. Other workloads get no
finding.
"""

from __future__ import annotations

from policies.kubernetes.control_plane_apiserver import CIS, judge
from policies.kubernetes.control_plane_flags import (
    CONTROLLER_MANAGER,
    SCHEDULER,
    ComponentFlags,
    bool_value,
    component_flags,
    last_value,
    runs,
)
from policies.pod_views import WORKLOAD_TYPES
from scanner.core.model import Resource, Result
from scanner.core.registry import check

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@check(
    id="k8s_controller_manager_service_account_credentials_enabled",
    title="kube-controller-manager runs each controller under its own service account",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
    applies_to=runs(CONTROLLER_MANAGER),
    references={"checkov": ["CKV_K8S_108"], CIS: ["1.3.3"]},
)
def k8s_controller_manager_service_account_credentials_enabled(pod: Resource) -> Result:
    """Without `--use-service-account-credentials=true` (default false) every controller acts
    with the controller manager's own, very broad identity: RBAC cannot limit one controller,
    and the audit log cannot tell which controller did what. With it, each controller gets a
    `system:controller:<name>` service account and the narrow bootstrap role made for it.

    Remediation:

        - --use-service-account-credentials=true
    """

    def evaluate(flags: ComponentFlags) -> Result:
        if bool_value(flags, "use-service-account-credentials", False):
            return Result.passed("--use-service-account-credentials=true")
        return Result.failed(
            "--use-service-account-credentials is not true: every controller shares the "
            "controller manager's credentials"
        )

    return judge(pod, CONTROLLER_MANAGER, evaluate)


def _runs_controller_manager_or_scheduler(resource: Resource) -> bool:
    """workloads with a container that runs kube-controller-manager or kube-scheduler"""
    return any(component_flags(resource, c) for c in (CONTROLLER_MANAGER, SCHEDULER))


@check(
    id="k8s_control_plane_bind_address_local",
    title="kube-controller-manager and kube-scheduler serve only on the loopback address",
    severity="medium",
    resource_types=WORKLOAD_TYPES,
    applies_to=_runs_controller_manager_or_scheduler,
    references={"checkov": ["CKV_K8S_113", "CKV_K8S_115"], CIS: ["1.3.7", "1.4.2"]},
)
def k8s_control_plane_bind_address_local(pod: Resource) -> Result:
    """The controller manager and the scheduler serve health, metrics and (unless disabled)
    profiling endpoints. With the default `--bind-address=0.0.0.0` these listen on every
    interface of the control-plane node, reachable from the pod network; they only need to be
    reached locally (the kubelet's probes, a local scraper).

    Remediation:

        - --bind-address=127.0.0.1
    """
    component = CONTROLLER_MANAGER if component_flags(pod, CONTROLLER_MANAGER) else SCHEDULER

    def evaluate(flags: ComponentFlags) -> Result:
        address = last_value(flags, "bind-address")
        if address is None:
            return Result.failed("--bind-address not set: listens on 0.0.0.0 (all interfaces)")
        if address.strip("[]") in LOOPBACK:
            return Result.passed(f"--bind-address={address}")
        return Result.failed(f"--bind-address={address} is not a loopback address")

    return judge(pod, component, evaluate)
