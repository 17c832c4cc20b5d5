"""DynamoDB tables: point-in-time recovery and the encryption key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    fan_out,
    partition_for,
    unknown_from,
)

# SSEDescription.Status values under which the table is (or is becoming) encrypted with KMS.
_KMS_ACTIVE = ("ENABLED", "ENABLING", "UPDATING")


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    dynamodb = clients("dynamodb", region)
    names = recorder.paginate(dynamodb, "list_tables", "TableNames")

    def one_table(name: str) -> tuple[Any, Any]:
        return (
            recorder.call(dynamodb, "describe_table", TableName=name),
            recorder.call(dynamodb, "describe_continuous_backups", TableName=name),
        )

    listed = names if isinstance(names, list) else []
    results = fan_out(recorder, one_table, listed)
    return {
        "tables": names,
        "describe_table": {name: d for name, (d, _) in zip(listed, results, strict=True)},
        "continuous_backups": {name: b for name, (_, b) in zip(listed, results, strict=True)},
    }


def _failed(response: Any, operation: str) -> Unknown | None:
    """Unknown when the call failed or, in a hand-edited snapshot, was never recorded."""
    unknown = unknown_from(response)
    if unknown is None and not isinstance(response, Mapping):
        unknown = Unknown(f"dynamodb:{operation} was not recorded for this table")
    return unknown


def server_side_encryption(table: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The `server_side_encryption` block from DescribeTable's SSEDescription.

    No SSEDescription means the table uses the AWS-owned key (Terraform: no block, or
    `enabled = false`); SSEType KMS covers both the AWS-managed key aws/dynamodb and a customer
    key, and KMSMasterKeyArn names which.
    """
    sse = table.get("SSEDescription")
    if not isinstance(sse, Mapping) or sse.get("Status") not in _KMS_ACTIVE:
        return [{"enabled": False}]
    block: dict[str, Any] = {"enabled": sse.get("SSEType", "KMS") == "KMS"}
    if sse.get("KMSMasterKeyArn"):
        block["kms_key_arn"] = sse["KMSMasterKeyArn"]
    return [block]


def point_in_time_recovery(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    description = response.get("ContinuousBackupsDescription") or {}
    pitr = description.get("PointInTimeRecoveryDescription") or {}
    block: dict[str, Any] = {"enabled": pitr.get("PointInTimeRecoveryStatus") == "ENABLED"}
    if pitr.get("RecoveryPeriodInDays") is not None:
        block["recovery_period_in_days"] = pitr["RecoveryPeriodInDays"]
    return [block]


def _resource(name: str, described: Any, backups: Any, location: Location) -> Resource:
    attributes: dict[str, Any] = {"name": name}
    unknown = _failed(described, "DescribeTable")
    table: Mapping[str, Any] = {} if unknown is not None else described.get("Table") or {}
    if unknown is not None:
        attributes["server_side_encryption"] = unknown
    else:
        attributes["server_side_encryption"] = server_side_encryption(table)
        billing = (table.get("BillingModeSummary") or {}).get("BillingMode")
        attributes["billing_mode"] = billing or "PROVISIONED"
        if table.get("DeletionProtectionEnabled") is not None:
            attributes["deletion_protection_enabled"] = table["DeletionProtectionEnabled"]
        if table.get("TableClassSummary"):
            attributes["table_class"] = table["TableClassSummary"].get("TableClass")
    unknown = _failed(backups, "DescribeContinuousBackups")
    attributes["point_in_time_recovery"] = (
        unknown if unknown is not None else point_in_time_recovery(backups)
    )
    arn = table.get("TableArn") or (
        f"arn:{partition_for(location.region or '')}:dynamodb:{location.region}:"
        f"{location.account}:table/{name}"
    )
    return Resource(
        type="aws_dynamodb_table",
        id=str(arn),
        source="aws",
        location=location,
        attributes=attributes,
        raw={"describe_table": described, "continuous_backups": backups},
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    names = raw.data.get("tables")
    described = raw.data.get("describe_table") or {}
    backups = raw.data.get("continuous_backups") or {}
    for name in names if isinstance(names, list) else []:
        yield _resource(name, described.get(name), backups.get(name), location)


COLLECTOR = Collector(
    name="dynamodb",
    actions=(
        "dynamodb:ListTables",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
    ),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_dynamodb_table",),
)
