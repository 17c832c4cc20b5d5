"""Secrets Manager secrets: rotation and encryption key, from metadata only.

Only ListSecrets is called. GetSecretValue is never called and never listed in the actions: a
compliance scanner has no business reading secrets, and its snapshots and evidence bundles must
not be able to carry them. ListSecrets returns metadata (names, keys, rotation, tags), no values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import CallRecorder, ClientFactory, Collector, RawService

# ListSecrets fields kept in the snapshot. An allow-list rather than the whole entry, so that a
# field AWS adds later cannot bring anything sensitive into snapshots unreviewed.
_KEPT = (
    "ARN",
    "Name",
    "Description",
    "KmsKeyId",
    "RotationEnabled",
    "RotationLambdaARN",
    "RotationRules",
    "LastRotatedDate",
    "LastChangedDate",
    "LastAccessedDate",
    "NextRotationDate",
    "CreatedDate",
    "DeletedDate",
    "PrimaryRegion",
    "OwningService",
    "Tags",
)


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    secretsmanager = clients("secretsmanager", region)
    secrets = recorder.paginate(secretsmanager, "list_secrets", "SecretList")
    if isinstance(secrets, list):
        secrets = [{k: v for k, v in secret.items() if k in _KEPT} for secret in secrets]
    return {"secrets": secrets}


def _rotation_rules(rules: Mapping[str, Any]) -> list[dict[str, Any]]:
    block: dict[str, Any] = {}
    for name, key in (
        ("automatically_after_days", "AutomaticallyAfterDays"),
        ("duration", "Duration"),
        ("schedule_expression", "ScheduleExpression"),
    ):
        if rules.get(key) is not None:
            block[name] = rules[key]
    return [block] if block else []


def _attributes(secret: Mapping[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "name": secret.get("Name"),
        # ListSecrets omits RotationEnabled for secrets that never had rotation configured; the
        # provider reads that as false too.
        "rotation_enabled": bool(secret.get("RotationEnabled", False)),
        "tags": {tag["Key"]: tag.get("Value") for tag in secret.get("Tags") or []},
    }
    # Without KmsKeyId the secret is encrypted with the AWS-managed key aws/secretsmanager.
    for name, key in (
        ("kms_key_id", "KmsKeyId"),
        ("description", "Description"),
        ("rotation_lambda_arn", "RotationLambdaARN"),
        ("owning_service", "OwningService"),
    ):
        if secret.get(key):
            attributes[name] = secret[key]
    if isinstance(secret.get("RotationRules"), Mapping):
        rules = _rotation_rules(secret["RotationRules"])
        if rules:
            attributes["rotation_rules"] = rules
    return attributes


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    secrets = raw.data.get("secrets")
    for secret in secrets if isinstance(secrets, list) else []:
        yield Resource(
            type="aws_secretsmanager_secret",
            id=str(secret["ARN"]),
            source="aws",
            location=location,
            attributes=_attributes(secret),
            raw=dict(secret),
        )


COLLECTOR = Collector(
    name="secretsmanager",
    actions=("secretsmanager:ListSecrets",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_secretsmanager_secret",),
)
