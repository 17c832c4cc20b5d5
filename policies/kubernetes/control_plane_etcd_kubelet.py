"""etcd flags in control-plane manifests, and the kubelet's KubeletConfiguration file.

etcd: judged on every workload whose container runs etcd (flags, or ETCD_* env variables when
the flag is absent; a `--config-file` hides both: unknown). Kubelet: judged on
`KubeletConfiguration` objects (kubelet.config.k8s.io), with the config file's own defaults
(which are stricter than the kubelet's command-line defaults). Command-line flags in the
kubelet's systemd unit override the file and are not visible in manifests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from policies.kubernetes.control_plane_apiserver import CIS, judge, missing
from policies.kubernetes.control_plane_flags import (
    ETCD,
    ComponentFlags,
    bool_value,
    list_value,
    runs,
)
from policies.pod_views import WORKLOAD_TYPES, quoted
from scanner.core.model import Resource, Result
from scanner.core.registry import check

KUBELET_CONFIGURATION = "kubernetes_kubelet_configuration"


def _etcd_tls(flags: ComponentFlags, prefix: str, urls_flag: str) -> Result:
    """Client (`prefix` "") or peer (`prefix` "peer-") TLS of etcd."""
    problems = []
    urls = list_value(flags, urls_flag)
    if urls is None:
        port = 2380 if prefix else 2379
        problems.append(f"--{urls_flag} not set: etcd listens on plain http://localhost:{port}")
    plain = [url for url in urls or [] if url.startswith("http:")]
    if plain:
        problems.append(f"--{urls_flag} uses plain HTTP: {quoted(plain)}")
    absent = missing(flags, [f"{prefix}cert-file", f"{prefix}key-file"])
    if absent:
        problems.append(f"{quoted(absent)} not set")
    if not bool_value(flags, f"{prefix}client-cert-auth", False):
        problems.append(f"--{prefix}client-cert-auth is not true: any client is accepted")
    if bool_value(flags, f"{prefix}auto-tls", False):
        problems.append(f"--{prefix}auto-tls=true: self-signed certificates nobody verifies")
    if problems:
        return Result.failed("; ".join(problems))
    side = "peer" if prefix else "client"
    return Result.passed(f"{side} TLS with verified {side} certificates")


@check(
    id="k8s_etcd_client_tls_enabled",
    title="etcd serves clients over TLS and requires client certificates",
    severity="high",
    resource_types=WORKLOAD_TYPES,
    applies_to=runs(ETCD),
    references={
        "checkov": ["CKV_K8S_116", "CKV_K8S_117", "CKV_K8S_118"],
        CIS: ["2.1", "2.2", "2.3"],
    },
)
def k8s_etcd_client_tls_enabled(pod: Resource) -> Result:
    """etcd stores every Kubernetes object, Secrets included. Its client port must use TLS
    (`--cert-file`, `--key-file`, https in `--listen-client-urls`, whose default is plain
    http://localhost:2379) and accept only clients with
    a certificate from its CA (`--client-cert-auth=true`); `--auto-tls=true` generates
    self-signed certificates that give encryption without authentication.

    Remediation:

        - --cert-file=/etc/kubernetes/pki/etcd/server.crt
        - --key-file=/etc/kubernetes/pki/etcd/server.key
        - --client-cert-auth=true
        - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    """
    return judge(pod, ETCD, lambda flags: _etcd_tls(flags, "", "listen-client-urls"))


@check(
    id="k8s_etcd_peer_tls_enabled",
    title="etcd members talk to each other over TLS with verified certificates",
    severity="high",
    resource_types=WORKLOAD_TYPES,
    applies_to=runs(ETCD),
    references={"checkov": ["CKV_K8S_119", "CKV_K8S_121"], CIS: ["2.4", "2.5", "2.6"]},
)
def k8s_etcd_peer_tls_enabled(pod: Resource) -> Result:
    """etcd members replicate the whole keyspace to each other: without peer TLS
    (`--peer-cert-file`, `--peer-key-file`, `--peer-client-cert-auth=true`, no
    `--peer-auto-tls`) that copy of every Secret crosses the network in clear, and anything
    that reaches the peer port can join the cluster. Judged even for a single member, whose
    manifest becomes a template for the next.

    Remediation:

        - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
        - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
        - --peer-client-cert-auth=true
        - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    """
    return judge(pod, ETCD, lambda flags: _etcd_tls(flags, "peer-", "listen-peer-urls"))


def _kubelet_field(config: Resource, *path: str) -> Any:
    """The value at `path`, None when absent; WrongType when a level on the way is not a map
    (`anonymous: true`), which the kubelet cannot decode."""
    node: Any = config.attributes
    for depth, key in enumerate(path):
        if node is None:
            return None
        if not isinstance(node, Mapping):
            raise WrongType(".".join(path[:depth]))
        node = node.get(key)
    return node


class WrongType(Exception):
    """A KubeletConfiguration field whose value the kubelet cannot decode."""


def _typed(value: Any, kind: type, field: str) -> Any:
    """The field's value when absent or of the type the kubelet decodes; else WrongType (a
    string "false" is not a boolean there: the kubelet refuses the file)."""
    if value is None:
        return None
    ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
    if not ok:
        raise WrongType(field)
    return value


def _kubelet_result(evaluate: Callable[[], Result]) -> Result:
    try:
        return evaluate()
    except WrongType as exc:
        return Result.unknown(f"{exc} has a value of the wrong type: the kubelet would not start")


@check(
    id="k8s_kubelet_anonymous_auth_disabled",
    title="Kubelets reject anonymous requests",
    severity="high",
    resource_types=[KUBELET_CONFIGURATION],
    references={"checkov": ["CKV_K8S_138"], CIS: ["4.2.1"]},
)
def k8s_kubelet_anonymous_auth_disabled(config: Resource) -> Result:
    """The kubelet API (port 10250) runs commands in pods, reads their logs and lists what runs
    on the node. With anonymous authentication on, anyone who reaches the port is
    `system:anonymous`. Default in a KubeletConfiguration file: disabled.

    Remediation:

        authentication:
          anonymous:
            enabled: false
    """

    def evaluate() -> Result:
        enabled = _typed(
            _kubelet_field(config, "authentication", "anonymous", "enabled"),
            bool,
            "authentication.anonymous.enabled",
        )
        if enabled:
            return Result.failed("authentication.anonymous.enabled is true")
        shown = "false" if enabled is False else "not set (default false)"
        return Result.passed(f"authentication.anonymous.enabled is {shown}")

    return _kubelet_result(evaluate)


@check(
    id="k8s_kubelet_authorization_webhook",
    title="Kubelets authorize requests through the API server (Webhook mode)",
    severity="high",
    resource_types=[KUBELET_CONFIGURATION],
    references={"checkov": ["CKV_K8S_139"], CIS: ["4.2.2"]},
)
def k8s_kubelet_authorization_webhook(config: Resource) -> Result:
    """In AlwaysAllow mode every authenticated caller of the kubelet API may exec into any pod
    of the node; Webhook mode asks the API server (SubjectAccessReview), so RBAC applies.
    Default in a KubeletConfiguration file: Webhook.

    Remediation:

        authorization:
          mode: Webhook
    """

    def evaluate() -> Result:
        mode = _typed(_kubelet_field(config, "authorization", "mode"), str, "authorization.mode")
        if mode in (None, "Webhook"):
            return Result.passed(f"authorization.mode is {mode or 'not set (default Webhook)'}")
        return Result.failed(f"authorization.mode is {mode}: kubelet requests bypass RBAC")

    return _kubelet_result(evaluate)


@check(
    id="k8s_kubelet_read_only_port_disabled",
    title="Kubelets serve no unauthenticated read-only port",
    severity="medium",
    resource_types=[KUBELET_CONFIGURATION],
    references={"checkov": ["CKV_K8S_141"], CIS: ["4.2.4"]},
)
def k8s_kubelet_read_only_port_disabled(config: Resource) -> Result:
    """The read-only port (10255) serves pod specs, environment included, and node metrics
    without any authentication or authorization. Default in a KubeletConfiguration file: 0
    (disabled).

    Remediation:

        readOnlyPort: 0
    """

    def evaluate() -> Result:
        port = _typed(_kubelet_field(config, "readOnlyPort"), int, "readOnlyPort")
        if port:
            return Result.failed(f"readOnlyPort is {port}: unauthenticated reads of pod specs")
        return Result.passed("readOnlyPort is 0" if port == 0 else "readOnlyPort not set (0)")

    return _kubelet_result(evaluate)


@check(
    id="k8s_kubelet_tls_configured",
    title="Kubelets serve TLS with a CA-issued certificate and rotate their certificates",
    severity="high",
    resource_types=[KUBELET_CONFIGURATION],
    references={CIS: ["4.2.9", "4.2.10"]},
)
def k8s_kubelet_tls_configured(config: Resource) -> Result:
    """Without `tlsCertFile`/`tlsPrivateKeyFile` (or `serverTLSBootstrap: true`, which gets a
    serving certificate from the cluster CA) the kubelet serves a self-signed certificate that
    the API server cannot verify, so exec and log traffic can be intercepted. Without
    `rotateCertificates: true` (default false) the client certificate expires or stays in use
    after a compromise.

    Remediation:

        serverTLSBootstrap: true
        rotateCertificates: true
    """

    def evaluate() -> Result:
        bootstrap = _typed(_kubelet_field(config, "serverTLSBootstrap"), bool, "serverTLSBootstrap")
        cert = _typed(_kubelet_field(config, "tlsCertFile"), str, "tlsCertFile")
        key = _typed(_kubelet_field(config, "tlsPrivateKeyFile"), str, "tlsPrivateKeyFile")
        rotate = _typed(_kubelet_field(config, "rotateCertificates"), bool, "rotateCertificates")
        problems = []
        if not bootstrap and not (cert and key):
            problems.append(
                "no tlsCertFile/tlsPrivateKeyFile and serverTLSBootstrap is not true: "
                "a self-signed serving certificate"
            )
        if not rotate:
            problems.append("rotateCertificates is not true (default false)")
        if problems:
            return Result.failed("; ".join(problems))
        how = "serverTLSBootstrap" if bootstrap else "tlsCertFile/tlsPrivateKeyFile"
        return Result.passed(f"serving certificate from {how}; certificates rotate")

    return _kubelet_result(evaluate)
