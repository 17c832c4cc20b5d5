"""kube-apiserver flags for audit logging and access control (authentication, authorization,
admission). Recognition of the component and flag reading: control_plane_flags."""

from __future__ import annotations

from policies.kubernetes.control_plane_apiserver import CIS, apiserver_check, judge
from policies.kubernetes.control_plane_flags import (
    APISERVER,
    ComponentFlags,
    bool_value,
    int_value,
    last_value,
    list_value,
)
from policies.pod_views import quoted
from scanner.core.model import Resource, Result

# CIS Kubernetes Benchmark values: 30 days, 10 files of 100 MB.
AUDIT_RETENTION_MINIMUMS = (("audit-log-maxage", 30), ("audit-log-maxbackup", 10),
                            ("audit-log-maxsize", 100))  # fmt: skip


@apiserver_check(
    id="k8s_apiserver_audit_logging_enabled",
    title="kube-apiserver writes an audit log under an audit policy",
    references={"checkov": ["CKV_K8S_91"], CIS: ["1.2.16"]},
)
def k8s_apiserver_audit_logging_enabled(pod: Resource) -> Result:
    """The API audit log is the record of who read or changed what in the cluster: Secrets
    read, pods exec'd into, RBAC changed. It needs a backend (`--audit-log-path`, or
    `--audit-webhook-config-file`) and an `--audit-policy-file`: without a policy the API server
    records no events at all, whatever the backend.

    Remediation:

        - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
        - --audit-log-path=/var/log/kubernetes/audit/audit.log
    """

    def evaluate(flags: ComponentFlags) -> Result:
        backends = [
            name
            for name in ("audit-log-path", "audit-webhook-config-file")
            if last_value(flags, name)
        ]
        problems = []
        if not backends:
            problems.append("no --audit-log-path or --audit-webhook-config-file")
        if not last_value(flags, "audit-policy-file"):
            problems.append("no --audit-policy-file (without a policy no event is recorded)")
        if problems:
            return Result.failed("; ".join(problems))
        return Result.passed(
            f"audit policy set, events sent to {quoted('--' + b for b in backends)}"
        )

    return judge(pod, APISERVER, evaluate)


@apiserver_check(
    id="k8s_apiserver_audit_log_retention_configured",
    title="kube-apiserver keeps audit log files for 30 days, in 10 files of 100 MB or more",
    severity="medium",
    references={
        "checkov": ["CKV_K8S_92", "CKV_K8S_93", "CKV_K8S_94"],
        CIS: ["1.2.17", "1.2.18", "1.2.19"],
    },
)
def k8s_apiserver_audit_log_retention_configured(pod: Resource) -> Result:
    """Audit records are only useful if they are still there when an incident is found: the
    log files must cover at least 30 days (`--audit-log-maxage`) and the rotation must keep
    enough of them (`--audit-log-maxbackup` 10, `--audit-log-maxsize` 100 MB), as the CIS
    Kubernetes Benchmark sets. Each must be set explicitly. Longer retention belongs in the log
    pipeline that ships the files off the node. When the log goes to stdout
    (`--audit-log-path=-`), retention is not the API server's: unknown.

    Remediation:

        - --audit-log-maxage=30
        - --audit-log-maxbackup=10
        - --audit-log-maxsize=100
    """

    def evaluate(flags: ComponentFlags) -> Result:
        path = last_value(flags, "audit-log-path")
        if not path:
            return Result.failed("no --audit-log-path: no audit log file is written or kept")
        if path == "-":
            return Result.unknown("audit log goes to stdout: retention is set by the log pipeline")
        short = []
        for name, minimum in AUDIT_RETENTION_MINIMUMS:
            value = int_value(flags, name)
            if value is None:
                short.append(f"--{name} not set")
            elif value < minimum:
                short.append(f"--{name}={value} (< {minimum})")
        if short:
            return Result.failed("; ".join(short))
        return Result.passed("audit log retention meets 30 days, 10 files, 100 MB")

    return judge(pod, APISERVER, evaluate)


@apiserver_check(
    id="k8s_apiserver_anonymous_auth_disabled",
    title="kube-apiserver rejects anonymous requests",
    severity="medium",
    references={"checkov": ["CKV_K8S_68"], CIS: ["1.2.1"]},
)
def k8s_apiserver_anonymous_auth_disabled(pod: Resource) -> Result:
    """With anonymous authentication on (the default), a request without credentials is served
    as `system:anonymous`: one RBAC binding to it or to `system:unauthenticated`, by mistake or by
    a chart, opens the API to anyone who can reach it.

    Remediation: turn it off (probes then authenticate, or use the anonymous endpoint
    allow-list of a structured AuthenticationConfiguration):

        - --anonymous-auth=false
    """

    def evaluate(flags: ComponentFlags) -> Result:
        if last_value(flags, "authentication-config"):
            return Result.unknown(
                "--authentication-config is set: anonymous access is configured in that file"
            )
        if bool_value(flags, "anonymous-auth", True):
            return Result.failed("anonymous requests are accepted (--anonymous-auth is true)")
        return Result.passed("--anonymous-auth=false")

    return judge(pod, APISERVER, evaluate)


@apiserver_check(
    id="k8s_apiserver_authorization_rbac_enabled",
    title="kube-apiserver authorizes with RBAC and never with AlwaysAllow",
    references={"checkov": ["CKV_K8S_74", "CKV_K8S_77"], CIS: ["1.2.6", "1.2.8"]},
)
def k8s_apiserver_authorization_rbac_enabled(pod: Resource) -> Result:
    """`--authorization-mode` decides what an authenticated user may do. Without it the API
    server uses AlwaysAllow: every authenticated identity, every service account included, is
    cluster-admin, and no RBAC role means anything. AlwaysAllow anywhere in the list allows
    whatever the modes before it did not deny. With `--authorization-config` (the structured
    configuration) the modes live in that file: unknown.

    Remediation:

        - --authorization-mode=Node,RBAC
    """

    def evaluate(flags: ComponentFlags) -> Result:
        if last_value(flags, "authorization-config"):
            return Result.unknown("--authorization-config is set: the authorizers are in that file")
        modes = list_value(flags, "authorization-mode") or ["AlwaysAllow"]
        if "AlwaysAllow" in modes:
            return Result.failed(f"authorization modes {quoted(modes)} include AlwaysAllow")
        if "RBAC" not in modes:
            return Result.failed(f"authorization modes {quoted(modes)} do not include RBAC")
        return Result.passed(f"authorization modes {quoted(modes)}")

    return judge(pod, APISERVER, evaluate)


@apiserver_check(
    id="k8s_apiserver_static_credential_files_absent",
    title="kube-apiserver accepts no static token or password files",
    references={"checkov": ["CKV_K8S_69", "CKV_K8S_70"], CIS: ["1.2.2"]},
)
def k8s_apiserver_static_credential_files_absent(pod: Resource) -> Result:
    """`--token-auth-file` (and the removed `--basic-auth-file`) hold long-lived credentials in
    a plain file on the control-plane nodes: they cannot be rotated without a restart, never
    expire and are not tied to a person, which defeats unique identification and revocation.

    Remediation: remove the flags; authenticate people through OIDC or client certificates and
    workloads through service account tokens.
    """

    def evaluate(flags: ComponentFlags) -> Result:
        present = [f"--{n}" for n in ("token-auth-file", "basic-auth-file") if last_value(flags, n)]
        if present:
            return Result.failed(f"static credential file(s) configured: {quoted(present)}")
        return Result.passed("no --token-auth-file or --basic-auth-file")

    return judge(pod, APISERVER, evaluate)


@apiserver_check(
    id="k8s_apiserver_admission_plugins_safe",
    title="kube-apiserver enables NodeRestriction and not AlwaysAdmit",
    references={"checkov": ["CKV_K8S_79", "CKV_K8S_85"], CIS: ["1.2.10", "1.2.14"]},
)
def k8s_apiserver_admission_plugins_safe(pod: Resource) -> Result:
    """NodeRestriction limits each kubelet to its own Node and the pods bound to it: without it
    one compromised node can relabel other nodes and read what it should not. AlwaysAdmit
    admits every request, switching admission control off. NodeRestriction is not enabled by
    default, so it must be in `--enable-admission-plugins` (and not in
    `--disable-admission-plugins`); AlwaysAdmit must be in neither that list nor the removed
    `--admission-control`.

    Remediation:

        - --enable-admission-plugins=NodeRestriction
    """

    def evaluate(flags: ComponentFlags) -> Result:
        enabled = (list_value(flags, "enable-admission-plugins") or []) + (
            list_value(flags, "admission-control") or []
        )
        disabled = list_value(flags, "disable-admission-plugins") or []
        problems = []
        if "AlwaysAdmit" in enabled:
            problems.append("AlwaysAdmit is enabled")
        if "NodeRestriction" not in enabled or "NodeRestriction" in disabled:
            problems.append("NodeRestriction is not enabled")
        if problems:
            return Result.failed("; ".join(problems))
        return Result.passed("NodeRestriction enabled, AlwaysAdmit not")

    return judge(pod, APISERVER, evaluate)
