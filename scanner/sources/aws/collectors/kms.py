"""KMS keys: rotation, key spec and key policy of the account's own keys.

AWS-managed keys (`aws/s3`, `aws/rds`, ...; KeyManager "AWS") are skipped after DescribeKey: AWS
rotates them every year and nobody in the account can change their rotation or policy, so they are
not something the account configures (Terraform cannot create them either). Keys pending deletion
are skipped too: they are already being destroyed and cannot be used to encrypt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    fan_out_by_key,
    parse_policy,
    unknown_from,
)

_GONE_STATES = ("PendingDeletion", "PendingReplicaDeletion")


def _is_managed_elsewhere(metadata: Mapping[str, Any]) -> bool:
    return metadata.get("KeyManager") == "AWS" or metadata.get("KeyState") in _GONE_STATES


def _can_rotate(metadata: Mapping[str, Any]) -> bool:
    """KMS rotates only symmetric keys whose material it generated and holds in its own store;
    GetKeyRotationStatus on any other key fails with UnsupportedOperationException."""
    return (
        metadata.get("KeySpec", metadata.get("CustomerMasterKeySpec")) == "SYMMETRIC_DEFAULT"
        and metadata.get("Origin", "AWS_KMS") == "AWS_KMS"
        and not metadata.get("CustomKeyStoreId")
    )


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    kms = clients("kms", region)
    keys = recorder.paginate(kms, "list_keys", "Keys")

    def one_key(arn: str) -> dict[str, Any]:
        described = recorder.call(kms, "describe_key", KeyId=arn)
        entry: dict[str, Any] = {"describe": described}
        metadata = described.get("KeyMetadata")
        if not isinstance(metadata, Mapping) or _is_managed_elsewhere(metadata):
            return entry
        if _can_rotate(metadata):
            entry["rotation"] = recorder.call(kms, "get_key_rotation_status", KeyId=arn)
        # "default" is the only policy name KMS supports.
        entry["policy"] = recorder.call(kms, "get_key_policy", KeyId=arn, PolicyName="default")
        return entry

    arns = [key["KeyArn"] for key in keys] if isinstance(keys, list) else []
    details = fan_out_by_key(recorder, one_key, arns)
    return {"keys": keys, "key_details": details}


def _unknown_key(arn: str, described: Any) -> dict[str, Any]:
    """Without DescribeKey we cannot tell its spec or owner: every judged attribute is unknown."""
    # Never `unknown_from(...) or ...`: an Unknown refuses truth tests by design.
    reason = unknown_from(described)
    if reason is None:
        reason = Unknown("kms:DescribeKey was not recorded for this key")
    return {
        "arn": arn,
        "key_usage": reason,
        "customer_master_key_spec": reason,
        "enable_key_rotation": reason,
        "policy": reason,
    }


def _policy(response: Any) -> Any:
    unknown = unknown_from(response)
    if unknown is not None:
        return unknown
    if not isinstance(response, Mapping):
        return Unknown("kms:GetKeyPolicy was not recorded for this key")
    return parse_policy(response.get("Policy"))


def _attributes(metadata: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "key_id": metadata.get("KeyId"),
        "arn": metadata.get("Arn"),
        "description": metadata.get("Description", ""),
        "key_usage": metadata.get("KeyUsage", "ENCRYPT_DECRYPT"),
        "customer_master_key_spec": metadata.get(
            "KeySpec", metadata.get("CustomerMasterKeySpec", "SYMMETRIC_DEFAULT")
        ),
        "is_enabled": metadata.get("Enabled"),
        "multi_region": metadata.get("MultiRegion", False),
        "key_state": metadata.get("KeyState"),
        "origin": metadata.get("Origin"),
    }
    if metadata.get("CustomKeyStoreId"):
        attributes["custom_key_store_id"] = metadata["CustomKeyStoreId"]
    if "rotation" in entry:
        rotation = entry["rotation"]
        unknown = unknown_from(rotation)
        if unknown is not None:
            attributes["enable_key_rotation"] = unknown
        else:
            attributes["enable_key_rotation"] = bool(rotation.get("KeyRotationEnabled"))
            if rotation.get("RotationPeriodInDays") is not None:
                attributes["rotation_period_in_days"] = rotation["RotationPeriodInDays"]
    elif _can_rotate(metadata):
        attributes["enable_key_rotation"] = Unknown(
            "kms:GetKeyRotationStatus was not recorded for this key"
        )
    # Keys that cannot rotate get no enable_key_rotation: the check passes them as not applicable
    # from their spec / key store, and the Terraform default (false) is what the API would say.
    attributes["policy"] = _policy(entry.get("policy"))
    return attributes


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    keys = raw.data.get("keys")
    details = raw.data.get("key_details") or {}
    for key in keys if isinstance(keys, list) else []:
        arn = key["KeyArn"]
        entry = details.get(arn) or {}
        described = entry.get("describe")
        metadata = described.get("KeyMetadata") if isinstance(described, Mapping) else None
        if not isinstance(metadata, Mapping):
            yield Resource(
                type="aws_kms_key",
                id=arn,
                source="aws",
                location=location,
                attributes=_unknown_key(arn, described),
                raw=dict(entry),
            )
            continue
        if _is_managed_elsewhere(metadata):
            continue
        # Imported key material is Terraform's aws_kms_external_key: it cannot rotate
        # automatically, and judging it as an aws_kms_key would report a false rotation failure.
        external = metadata.get("Origin") == "EXTERNAL"
        yield Resource(
            type="aws_kms_external_key" if external else "aws_kms_key",
            id=arn,
            source="aws",
            location=location,
            attributes=_attributes(metadata, entry),
            raw=dict(entry),
        )


COLLECTOR = Collector(
    name="kms",
    actions=(
        "kms:ListKeys",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
        "kms:GetKeyPolicy",
    ),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_kms_key", "aws_kms_external_key"),
)
