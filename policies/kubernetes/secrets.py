"""Credentials written into manifests: env literals, ConfigMaps, and Secret objects with data.

Manifests live in Git, CI logs and `kubectl get -o yaml` output; a credential in one is readable by
everyone with access to any of those. Messages name the variable or key, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.kubernetes.credential_text import (
    credential_lines,
    is_literal_credential,
    is_secret_name,
    secret_value_kind,
)
from policies.pod_views import (
    WORKLOAD_TYPES,
    container_label,
    judge_containers,
    mapping,
    sequence,
)
from scanner.core.model import Resource, Result
from scanner.core.registry import check


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
    private keys, URLs with `user:password@`, GitHub/Slack/Stripe tokens. A number is a
    credential when the name ends with the credential word (`MYSQL_PASSWORD: "1234"`), not when
    it is a setting (`MAX_TOKENS: 4096`). Names ending in _FILE, _PATH, _NAME, _URL, _TTL (and
    similar), empty and boolean values, file paths (`GOOGLE_APPLICATION_CREDENTIALS:
    /var/secrets/key.json`) and `$(VAR)` references are not treated as credentials.

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
            if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
                continue
            value = str(value)
            kind = secret_value_kind(value)
            if kind:
                found.append(f"{name} contains {kind}")
            elif is_secret_name(name) and is_literal_credential(value, name):
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
    if is_secret_name(key) and "\n" not in text.strip() and is_literal_credential(text, key):
        found.append(f'key "{key}" holds a literal credential')
    found.extend(
        f'key "{key}" line {line.number} sets {line.name}' for line in credential_lines(key, text)
    )
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
    ids, private keys, URLs with `user:password@`, well-known token formats). Not credentials:
    references (`${DB_PASSWORD}`), file paths, empty collections (`custom_secrets: []`),
    nsswitch sources (`passwd: compat`), and in code files (`.py`, `.js`, `.go`, ...) anything
    but a quoted string literal (`token = os.environ["TOKEN"]` is an expression).

    Remediation: move the credential into a Secret and mount or reference it from the pod:

        env:
          - name: API_KEY
            valueFrom:
              secretKeyRef: {name: partner-api, key: api-key}
    """
    found = []
    for key, value in mapping(config_map.get("data")).items():
        # The API wants strings, but the file holds what was written: `PASSWORD: 1234` too.
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            found.extend(_config_text_findings(str(key), str(value)))
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
