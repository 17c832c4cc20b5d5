"""Service accounts: which identity a workload runs as, and whether its API token is mounted."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from policies.pod_views import (
    WORKLOAD_TYPES,
    is_false,
    is_true,
    mapping,
    pod_spec,
    sequence,
    shown,
)
from scanner.core.model import Resource, Result
from scanner.core.registry import check

SERVICE_ACCOUNT_TYPE = "kubernetes_service_account"


def service_account_name(workload: Resource) -> str:
    """The pod's service account: serviceAccountName, the deprecated serviceAccount, or default."""
    spec = pod_spec(workload)
    return str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "default")


@check(
    id="k8s_pod_default_service_account_not_used",
    title="Workloads run under a dedicated service account, not default",
    severity="low",
    resource_types=WORKLOAD_TYPES,
)
def k8s_pod_default_service_account_not_used(workload: Resource) -> Result:
    """Every pod of a namespace that names no service account shares `default`: a permission
    granted to one workload is granted to all, and API audit logs cannot tell them apart. A
    dedicated account per workload makes least privilege and attribution possible.

    Remediation: create a ServiceAccount for the workload and name it in the pod spec:

        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: api, namespace: payments}
        automountServiceAccountToken: false
        ---
        spec:
          template:
            spec:
              serviceAccountName: api
    """
    spec = pod_spec(workload)
    if not (spec.get("serviceAccountName") or spec.get("serviceAccount")):
        return Result.failed("serviceAccountName is not set: the pod runs as the default account")
    name = service_account_name(workload)
    if name == "default":
        return Result.failed('serviceAccountName is "default"')
    return Result.passed(f'runs as service account "{name}"')


def _service_account_verdict(account: Resource) -> Result:
    value = account.get("automountServiceAccountToken")
    if is_false(value):
        return Result.passed("automountServiceAccountToken is false")
    if value is None:
        return Result.failed(
            "automountServiceAccountToken is not set (default true): pods using this account "
            "get its API token unless they opt out"
        )
    return Result.failed(f"automountServiceAccountToken is {shown(value)}")


def _workload_verdict(
    workload: Resource, accounts: dict[tuple[str | None, str], Resource]
) -> Result:
    value = pod_spec(workload).get("automountServiceAccountToken")
    if is_false(value):
        return Result.passed("the pod sets automountServiceAccountToken false")
    if is_true(value):
        return Result.failed("the pod sets automountServiceAccountToken true")
    if value is not None:
        return Result.failed(f"the pod sets automountServiceAccountToken {shown(value)}")
    name = service_account_name(workload)
    namespace = workload.get("namespace")
    account = accounts.get((namespace, name))
    if account is not None:
        setting = account.get("automountServiceAccountToken")
        if is_false(setting):
            return Result.passed(
                f"not set on the pod; inherits false from ServiceAccount {namespace}/{name}"
            )
        setting_text = "not set (default true)" if setting is None else shown(setting)
        return Result.failed(
            f"not set on the pod, and ServiceAccount {namespace}/{name} has "
            f"automountServiceAccountToken {setting_text}: the API token is mounted"
        )
    if name == "default":
        return Result.failed(
            "automountServiceAccountToken is not set on the pod and it runs as the default "
            "service account, which mounts its token unless changed: the API token is mounted"
        )
    return Result.unknown(
        f"automountServiceAccountToken is not set on the pod and ServiceAccount "
        f"{namespace}/{name}, which decides it, is not among the scanned manifests"
    )


@check(
    id="k8s_service_account_token_automount_disabled",
    title="Service account API tokens are not mounted into pods by default",
    severity="medium",
    resource_types=[*WORKLOAD_TYPES, SERVICE_ACCOUNT_TYPE],
    references={"checkov": ["CKV_K8S_38"]},
    scope="inventory",
)
def k8s_service_account_token_automount_disabled(
    resources: Sequence[Resource],
) -> Iterator[tuple[Resource, Result]]:
    """A mounted service account token lets anyone who gets code execution in the container
    call the Kubernetes API with the account's permissions. Most application pods never call
    the API. Judged per ServiceAccount (its `automountServiceAccountToken` must be false) and
    per workload: the pod's own setting wins; when the pod does not set it, the setting of its
    ServiceAccount among the scanned manifests decides; an unscanned `default` account mounts
    the token (fail), any other unscanned account is unknown.

    Remediation: turn automounting off on the account, and opt in only on pods that call the API:

        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: api}
        automountServiceAccountToken: false
        ---
        spec:
          template:
            spec:
              serviceAccountName: api
              automountServiceAccountToken: false
    """
    accounts = {
        (r.get("namespace"), str(r.get("metadata.name"))): r
        for r in resources
        if r.type == SERVICE_ACCOUNT_TYPE
    }
    for resource in resources:
        if resource.type == SERVICE_ACCOUNT_TYPE:
            yield resource, _service_account_verdict(resource)
        else:
            yield resource, _workload_verdict(resource, accounts)


def _default_account_subject(subject: Mapping[str, Any]) -> str | None:
    """How a binding subject names the default ServiceAccount, or None when it does not."""
    kind, name = subject.get("kind"), str(subject.get("name", ""))
    if kind == "ServiceAccount" and name == "default":
        namespace = subject.get("namespace")
        return f"ServiceAccount {namespace}/default" if namespace else "ServiceAccount default"
    if kind == "User" and name.startswith("system:serviceaccount:") and name.endswith(":default"):
        return f"User {name}"
    if kind == "Group" and (
        name == "system:serviceaccounts" or name.startswith("system:serviceaccounts:")
    ):
        return f"Group {name} (every service account, default included)"
    return None


@check(
    id="k8s_rbac_binding_no_default_service_account",
    title="RoleBindings and ClusterRoleBindings grant nothing to the default service account",
    severity="medium",
    resource_types=["kubernetes_role_binding", "kubernetes_cluster_role_binding"],
    references={"checkov": ["CKV_K8S_42"], "cis_kubernetes_v1.10": ["5.1.5"]},
)
def k8s_rbac_binding_no_default_service_account(binding: Resource) -> Result:
    """Every pod of a namespace that names no service account runs as `default`, so a role
    bound to it is held by every such pod, present and future, including ones nobody reviewed
    for it. Flags subjects that are the `default` ServiceAccount (as a ServiceAccount or as
    the user `system:serviceaccount:<namespace>:default`) and the groups
    `system:serviceaccounts[:<namespace>]`, which contain it.

    Remediation: create a dedicated ServiceAccount for the workload that needs the role and
    bind that:

        subjects:
          - kind: ServiceAccount
            name: report-exporter
            namespace: payments
    """
    role_ref = mapping(binding.get("roleRef"))
    role = f"{role_ref.get('kind', '?')} {role_ref.get('name', '?')}"
    subjects = [mapping(s) for s in sequence(binding.get("subjects"))]
    found = [label for label in map(_default_account_subject, subjects) if label]
    if found:
        return Result.failed(f"binds {role} to {', '.join(found)}")
    return Result.passed(f"binds {role} to no default service account")
