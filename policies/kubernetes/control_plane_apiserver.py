"""kube-apiserver flags in control-plane manifests: TLS, encryption at rest, audit, access.

Judged on every workload whose container runs kube-apiserver (see control_plane_flags for how
it is recognised and how flags are read); other workloads get no finding. A flag that is not
stated literally, or does not parse as its type, makes the finding unknown, never a pass.
Defaults are kube-apiserver's own when a flag is absent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from policies.kubernetes.control_plane_flags import (
    APISERVER,
    ComponentFlags,
    Verdict,
    bool_value,
    component_flags,
    last_value,
    list_value,
    runs,
)
from policies.pod_views import WORKLOAD_TYPES, quoted
from scanner.core.model import Resource, Result
from scanner.core.registry import check

CIS = "cis_kubernetes_v1.10"

# AEAD suites with forward secrecy (ECDHE), and the TLS 1.3 suites (which Go always uses).
STRONG_CIPHER_SUITES = frozenset(
    {
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    }
)
WEAK_TLS_VERSIONS = frozenset({"VersionTLS10", "VersionTLS11"})


def judge(
    resource: Resource, component: str, evaluate: Callable[[ComponentFlags], Result]
) -> Result:
    """Run `evaluate` on the component's flags; a Verdict (a value that decides nothing)
    becomes unknown. The message names the container."""
    flags = component_flags(resource, component)
    if flags is None:
        return Result.unknown(f"no container running {component} was found")
    try:
        result = evaluate(flags)
    except Verdict as verdict:
        return Result.unknown(f'{component} container "{flags.container}": {verdict}')
    return Result(result.status, f'{component} container "{flags.container}": {result.message}')


def missing(flags: ComponentFlags, names: list[str]) -> list[str]:
    return [f"--{name}" for name in names if not last_value(flags, name)]


def apiserver_check(
    *, id: str, title: str, references: Mapping[str, list[str]], severity: str = "high"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """@check for a kube-apiserver flag: judged on the workloads that run kube-apiserver."""
    return check(
        id=id,
        title=title,
        severity=severity,
        resource_types=WORKLOAD_TYPES,
        references=references,
        applies_to=runs(APISERVER),
    )


@apiserver_check(
    id="k8s_apiserver_tls_configured",
    title="kube-apiserver serves TLS with a configured certificate and key",
    references={"checkov": ["CKV_K8S_100"], CIS: ["1.2.24"]},
)
def k8s_apiserver_tls_configured(pod: Resource) -> Result:
    """Without `--tls-cert-file` and `--tls-private-key-file` the API server generates a
    self-signed certificate that clients cannot verify: every request, tokens and Secrets
    included, is open to interception by whoever can sit in between.

    Remediation: point the flags at a certificate issued by the cluster CA:

        - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt
        - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key
    """

    def evaluate(flags: ComponentFlags) -> Result:
        absent = missing(flags, ["tls-cert-file", "tls-private-key-file"])
        if absent:
            return Result.failed(f"{quoted(absent)} not set: a self-signed certificate is served")
        return Result.passed("--tls-cert-file and --tls-private-key-file are set")

    return judge(pod, APISERVER, evaluate)


@apiserver_check(
    id="k8s_apiserver_kubelet_tls_enabled",
    title="kube-apiserver reaches kubelets over HTTPS with a client certificate",
    references={"checkov": ["CKV_K8S_71", "CKV_K8S_72"], CIS: ["1.2.4"]},
)
def k8s_apiserver_kubelet_tls_enabled(pod: Resource) -> Result:
    """The API server calls kubelets for logs, exec and port-forward: that traffic carries
    container output and interactive sessions. `--kubelet-https=false` (removed in 1.22, where
    HTTPS is always on) sends it in clear; without `--kubelet-client-certificate` and
    `--kubelet-client-key` the kubelet cannot authenticate the API server and must allow
    anonymous requests.

    Remediation:

        - --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt
        - --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key
    """

    def evaluate(flags: ComponentFlags) -> Result:
        if not bool_value(flags, "kubelet-https", True):
            return Result.failed("--kubelet-https=false: kubelet traffic is not encrypted")
        absent = missing(flags, ["kubelet-client-certificate", "kubelet-client-key"])
        if absent:
            return Result.failed(f"{quoted(absent)} not set: no client certificate for kubelets")
        return Result.passed("kubelet traffic uses HTTPS with a client certificate")

    return judge(pod, APISERVER, evaluate)


@apiserver_check(
    id="k8s_apiserver_etcd_tls_configured",
    title="kube-apiserver talks to etcd over TLS with a client certificate and a CA",
    references={"checkov": ["CKV_K8S_99", "CKV_K8S_102"], CIS: ["1.2.23", "1.2.26"]},
)
def k8s_apiserver_etcd_tls_configured(pod: Resource) -> Result:
    """etcd holds every object of the cluster, Secrets included. The API server must reach it
    over TLS (`https://` in `--etcd-servers`), verify it (`--etcd-cafile`) and authenticate
    with a client certificate (`--etcd-certfile`, `--etcd-keyfile`), or etcd traffic can be
    read and etcd cannot refuse other clients.

    Remediation:

        - --etcd-servers=https://127.0.0.1:2379
        - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
        - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
        - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
    """

    def evaluate(flags: ComponentFlags) -> Result:
        plain = [url for url in list_value(flags, "etcd-servers") or [] if url.startswith("http:")]
        if plain:
            return Result.failed(f"--etcd-servers uses plain HTTP: {quoted(plain)}")
        absent = missing(flags, ["etcd-certfile", "etcd-keyfile", "etcd-cafile"])
        if absent:
            return Result.failed(f"{quoted(absent)} not set")
        return Result.passed("etcd is reached over TLS with a client certificate and CA")

    return judge(pod, APISERVER, evaluate)


@apiserver_check(
    id="k8s_apiserver_tls_cipher_suites_strong",
    title="kube-apiserver accepts only strong TLS cipher suites and TLS 1.2 or later",
    severity="medium",
    references={"checkov": ["CKV_K8S_105"], CIS: ["1.2.29"]},
)
def k8s_apiserver_tls_cipher_suites_strong(pod: Resource) -> Result:
    """Without `--tls-cipher-suites` the Go default list applies, which still includes
    AES-CBC suites with SHA-1 MACs; suites without ECDHE give no forward secrecy (a stolen key
    decrypts recorded traffic). Passes when every listed suite is an AEAD suite with ECDHE (or a
    TLS 1.3 suite); `--tls-min-version` of VersionTLS10 or VersionTLS11 fails.

    Remediation:

        - --tls-min-version=VersionTLS12
        - --tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        - --tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        - --tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        - --tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384

    (a list flag may be repeated: the occurrences add up; a comma-separated value works too).
    """

    def evaluate(flags: ComponentFlags) -> Result:
        version = last_value(flags, "tls-min-version")
        if version in WEAK_TLS_VERSIONS:
            return Result.failed(f"--tls-min-version={version} allows TLS before 1.2")
        suites = list_value(flags, "tls-cipher-suites")
        if not suites:
            return Result.failed(
                "--tls-cipher-suites not set: the Go default list includes CBC/SHA-1 suites"
            )
        weak = [suite for suite in suites if suite not in STRONG_CIPHER_SUITES]
        if weak:
            return Result.failed(f"weak or unrecognised cipher suites: {quoted(weak)}")
        return Result.passed(f"all {len(suites)} cipher suites are ECDHE AEAD or TLS 1.3")

    return judge(pod, APISERVER, evaluate)


@apiserver_check(
    id="k8s_apiserver_encryption_at_rest_configured",
    title="kube-apiserver encrypts resources at rest in etcd",
    references={"checkov": ["CKV_K8S_104"], CIS: ["1.2.27"]},
)
def k8s_apiserver_encryption_at_rest_configured(pod: Resource) -> Result:
    """Without `--encryption-provider-config` Secrets are stored in etcd as plain base64:
    anyone with a copy of etcd's data or its backups reads every credential and any ePHI kept
    in Secrets or ConfigMaps. The providers in the file (aescbc, secretbox, kms v2 first, not
    identity) are not judged here, since that file is not a manifest.

    Remediation: write an EncryptionConfiguration (a KMS v2 provider first) and pass it:

        - --encryption-provider-config=/etc/kubernetes/enc/encryption-config.yaml
    """

    def evaluate(flags: ComponentFlags) -> Result:
        path = last_value(flags, "encryption-provider-config")
        if not path:
            return Result.failed(
                "--encryption-provider-config not set: Secrets are stored in clear"
            )
        return Result.passed(f"--encryption-provider-config={path}")

    return judge(pod, APISERVER, evaluate)
