"""Credentials written into manifests: env literals, ConfigMaps, and Secret objects with data.

Manifests live in Git, CI logs and `kubectl get -o yaml` output; a credential in one is readable by
everyone with access to any of those. Messages name the variable or key, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from policies.pod_views import (
    WORKLOAD_TYPES,
    container_label,
    judge_containers,
    mapping,
    sequence,
)
from scanner.core.model import Resource, Result
from scanner.core.registry import check

# A name that says it holds a credential (normalized: upper case, `-` and `.` as `_`).
SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL"
)
# Names that mention a credential but hold something else: a file path, a reference, a setting.
NOT_A_SECRET_SUFFIX = re.compile(
    r"_(FILE|PATH|DIR|NAME|REF|KEY_ID|ID|URL|URI|ENDPOINT|TTL|EXPIRY|EXPIRES|TIMEOUT|LENGTH|"
    r"HEADER|ENABLED|DISABLED|REQUIRED|TYPE|FORMAT|ALGORITHM|VERSION|REGION|SECONDS)$"
)
# Values that are recognisable credentials whatever the name.
SECRET_VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN ([A-Z]+ )*PRIVATE KEY( BLOCK)?-----")),
    (
        "a URL with embedded credentials",
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:(?![$%{])[^/\s@]+@"),
    ),
    ("a GitHub token", re.compile(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|github_pat_\w{20,}")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a Stripe live key", re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,}")),
)
# `key: value` / `key=value` lines inside a config file stored in a ConfigMap.
ASSIGNMENT = re.compile(r"""^\s*["']?([A-Za-z0-9_.\-]+)["']?\s*[:=]\s*["']?([^\s"'#,]+)""")


def _normalized(name: str) -> str:
    return re.sub(r"[-.\s]", "_", name).upper()


def is_secret_name(name: str) -> bool:
    normalized = _normalized(name)
    return bool(SECRET_NAME.search(normalized)) and not NOT_A_SECRET_SUFFIX.search(normalized)


def is_literal_credential(value: str) -> bool:
    """A value that could be a credential, not a placeholder, flag, number or reference."""
    text = value.strip()
    if not text or text.lower() in ("true", "false", "null", "none", "~"):
        return False
    if text.isdigit():
        return False
    # $(VAR) env expansion, ${VAR} and {{ template }} placeholders are references, not secrets.
    return not text.startswith(("$(", "${", "{{", "<", "%"))


def secret_value_kind(value: str) -> str | None:
    for kind, pattern in SECRET_VALUE_PATTERNS:
        if pattern.search(value):
            return kind
    return None


@check(
    id="k8s_container_env_no_secret_literals",
    title="Containers take credentials from Secrets, not literal env values",
    severity="high",
    resource_types=WORKLOAD_TYPES,
)
def k8s_container_env_no_secret_literals(workload: Resource) -> Result:
    """A password or token written as an env `value` is stored in the manifest, the workload
    object in etcd (unencrypted by the Secret encryption config) and everything that prints it.
    Flags env vars whose name says credential (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY,
    ...) with a literal value, and any value that looks like a credential: AWS access key ids,
    private keys, URLs with `user:password@`, GitHub/Slack/Stripe tokens. Names ending in _FILE,
    _PATH, _NAME, _URL, _TTL (and similar), empty, boolean and numeric values and `$(VAR)`
    references are not treated as credentials.

    Remediation: put the value in a Secret (created outside Git, or sealed/external) and refer
    to it:

        env:
          - name: DB_PASSWORD
            valueFrom:
              secretKeyRef:
                name: db
                key: password
    """

    def problem(container: Mapping[str, Any]) -> str | None:
        found = []
        for variable in sequence(container.get("env")):
            variable = mapping(variable)
            name, value = str(variable.get("name", "?")), variable.get("value")
            if value is None or not isinstance(value, str | int | float):
                continue
            value = str(value)
            kind = secret_value_kind(value)
            if kind:
                found.append(f"{name} contains {kind}")
            elif is_secret_name(name) and is_literal_credential(value):
                found.append(f"{name} is set to a literal value")
        if found:
            return f"{container_label(container)} env {', '.join(found)}"
        return None

    return judge_containers(
        workload, problem, "no container sets a credential as a literal env value"
    )


def _config_text_findings(key: str, text: str) -> list[str]:
    found = []
    kind = secret_value_kind(text)
    if kind:
        found.append(f'key "{key}" contains {kind}')
    if is_secret_name(key) and is_literal_credential(text) and "\n" not in text.strip():
        found.append(f'key "{key}" holds a literal credential')
    for number, line in enumerate(text.splitlines(), start=1):
        match = ASSIGNMENT.match(line)
        if match and is_secret_name(match.group(1)) and is_literal_credential(match.group(2)):
            found.append(f'key "{key}" line {number} sets {match.group(1)}')
    return found


@check(
    id="k8s_config_map_no_secrets",
    title="ConfigMaps hold no credentials",
    severity="high",
    resource_types=["kubernetes_config_map"],
)
def k8s_config_map_no_secrets(config_map: Resource) -> Result:
    """ConfigMaps are not confidential: they are readable with plain `get configmaps` rights,
    never encrypted at rest by the Secret encryption config, and printed by debugging tools. A
    credential in one is exposed to everyone who can read the namespace's configuration. Flags
    keys named like a credential with a literal value, config-file lines such as
    `password: ...` or `api_key=...`, and values that look like credentials (AWS access key
    ids, private keys, URLs with `user:password@`, well-known token formats).

    Remediation: move the credential into a Secret and mount or reference it from the pod:

        env:
          - name: API_KEY
            valueFrom:
              secretKeyRef: {name: partner-api, key: api-key}
    """
    found = []
    for key, value in mapping(config_map.get("data")).items():
        if isinstance(value, str):
            found.extend(_config_text_findings(str(key), value))
    for key in mapping(config_map.get("binaryData")):
        if is_secret_name(str(key)):
            found.append(f'binaryData key "{key}" is named like a credential')
    if found:
        return Result.failed(f"ConfigMap holds credentials: {'; '.join(found)}")
    return Result.passed("no key or value of the ConfigMap looks like a credential")


@check(
    id="k8s_secret_data_not_committed",
    title="Secret manifests carry no secret data",
    severity="high",
    resource_types=["kubernetes_secret"],
)
def k8s_secret_data_not_committed(secret: Resource) -> Result:
    """A Secret manifest with `data` or `stringData` puts the credential itself in the scanned
    files, usually a Git repository: base64 is an encoding, not encryption, and the history keeps
    it after deletion. Secrets should be created from a secret manager at deploy time (External
    Secrets, Sealed Secrets, CSI driver, `kubectl create secret` in the pipeline). A Secret with
    no data, or only empty values (a placeholder, or a service-account-token Secret the
    controller fills in), passes.

    Remediation: remove the data from the manifest and rotate the exposed credential; deliver it
    with, for example, an ExternalSecret:

        apiVersion: external-secrets.io/v1beta1
        kind: ExternalSecret
        metadata: {name: db}
        spec:
          secretStoreRef: {name: aws-secrets-manager, kind: ClusterSecretStore}
          target: {name: db}
          data:
            - secretKey: password
              remoteRef: {key: prod/db, property: password}
    """
    keys = []
    for field in ("data", "stringData"):
        for key, value in mapping(secret.get(field)).items():
            if value not in (None, ""):
                keys.append(f"{field}.{key}")
    secret_type = secret.get("type") or "Opaque"
    if keys:
        return Result.failed(
            f"{secret_type} Secret carries {len(keys)} value(s) in the manifest "
            f"({', '.join(keys)}); base64 is not encryption"
        )
    return Result.passed(f"{secret_type} Secret carries no data in the manifest")
