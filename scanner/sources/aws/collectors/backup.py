"""AWS Backup: plans' resource selections and vaults' encryption keys.

Per region: ListBackupPlans, ListBackupSelections per plan, GetBackupSelection per selection
(ARN patterns, tag conditions), ListBackupVaults, and one kms:DescribeKey per distinct vault key
(is it AWS-managed aws/backup or a customer key). The region also yields one
`aws_backup_region_settings` resource whose `plans_listed` says whether the plans could be read:
a coverage check must tell "no plan covers this table" from "the plans were not read".
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
    fan_out,
    fan_out_by_key,
    partition_for,
    unknown_from,
)

# Conditions block of GetBackupSelection -> the Terraform `condition` block's attribute names.
_CONDITIONS = {
    "StringEquals": "string_equals",
    "StringNotEquals": "string_not_equals",
    "StringLike": "string_like",
    "StringNotLike": "string_not_like",
}


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    backup = clients("backup", region)
    plans = recorder.paginate(backup, "list_backup_plans", "BackupPlansList")
    plan_ids = [p["BackupPlanId"] for p in plans] if isinstance(plans, list) else []
    listed = fan_out_by_key(
        recorder,
        lambda plan_id: recorder.paginate(
            backup, "list_backup_selections", "BackupSelectionsList", BackupPlanId=plan_id
        ),
        plan_ids,
    )
    pairs = [
        (plan_id, s["SelectionId"])
        for plan_id, found in listed.items()
        if isinstance(found, list)
        for s in found
    ]
    selections = fan_out(
        recorder,
        lambda pair: recorder.call(
            backup, "get_backup_selection", BackupPlanId=pair[0], SelectionId=pair[1]
        ),
        pairs,
    )
    vaults = recorder.paginate(backup, "list_backup_vaults", "BackupVaultList")
    keys = sorted(
        {v["EncryptionKeyArn"] for v in vaults if v.get("EncryptionKeyArn")}
        if isinstance(vaults, list)
        else set()
    )
    kms = clients("kms", region) if keys else None
    described = fan_out_by_key(
        recorder, lambda key: recorder.call(kms, "describe_key", KeyId=key), keys
    )
    return {
        "plans": plans,
        "selection_lists": listed,
        "selections": [
            {"plan_id": p, "selection_id": s, "response": r}
            for (p, s), r in zip(pairs, selections, strict=True)
        ],
        "vaults": vaults,
        "vault_keys": described,
    }


def selection_attributes(selection: Mapping[str, Any]) -> dict[str, Any]:
    """The `aws_backup_selection` arguments from GetBackupSelection's BackupSelection."""
    conditions = selection.get("Conditions") or {}
    condition = {
        name: [
            {"key": c.get("ConditionKey"), "value": c.get("ConditionValue")}
            for c in conditions.get(key) or []
        ]
        for key, name in _CONDITIONS.items()
        if conditions.get(key)
    }
    return {
        "name": selection.get("SelectionName"),
        "resources": list(selection.get("Resources") or []),
        "not_resources": list(selection.get("NotResources") or []),
        "selection_tag": [
            {
                "type": t.get("ConditionType"),
                "key": t.get("ConditionKey"),
                "value": t.get("ConditionValue"),
            }
            for t in selection.get("ListOfTags") or []
        ],
        "condition": [condition] if condition else [],
    }


def _plan_arns(plans: Any) -> dict[str, str]:
    return (
        {p["BackupPlanId"]: p.get("BackupPlanArn", "") for p in plans}
        if isinstance(plans, list)
        else {}
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    partition = partition_for(raw.region)
    plans = raw.data.get("plans")
    plan_arns = _plan_arns(plans)
    lists = raw.data.get("selection_lists") or {}
    # Selections listed but not readable, or plans whose selections could not be listed, make
    # coverage undecidable in this region: the marker says so.
    unreadable: Unknown | None = unknown_from(plans)
    for found in lists.values():
        unreadable = unreadable or unknown_from(found)
    for entry in raw.data.get("selections") or []:
        plan_id, selection_id = entry["plan_id"], entry["selection_id"]
        response = entry.get("response")
        unknown = unknown_from(response)
        if unknown is not None or not isinstance(response, Mapping):
            unreadable = unreadable or unknown or Unknown("backup:GetBackupSelection not recorded")
            continue
        attributes = selection_attributes(response.get("BackupSelection") or {})
        attributes["plan_id"] = plan_id
        plan_arn = plan_arns.get(plan_id) or (
            f"arn:{partition}:backup:{raw.region}:{raw.account}:backup-plan:{plan_id}"
        )
        yield Resource(
            type="aws_backup_selection",
            id=f"{plan_arn}/selection/{selection_id}",
            source="aws",
            location=location,
            attributes=attributes,
            raw=dict(response),
        )
    yield Resource(
        type="aws_backup_region_settings",
        id=f"arn:{partition}:backup:{raw.region}:{raw.account}:region-settings",
        source="aws",
        location=location,
        attributes={"plans_listed": unreadable if unreadable is not None else True},
        raw={"plans": plans},
    )
    keys = raw.data.get("vault_keys") or {}
    vaults = raw.data.get("vaults")
    for vault in vaults if isinstance(vaults, list) else []:
        key = vault.get("EncryptionKeyArn")
        values: dict[str, Any] = {"name": vault.get("BackupVaultName")}
        if key:
            values["kms_key_arn"] = key
            described = keys.get(key)
            unknown = unknown_from(described)
            if unknown is None and not isinstance(described, Mapping):
                unknown = Unknown("kms:DescribeKey was not recorded for the vault key")
            if unknown is not None or not isinstance(described, Mapping):
                values["kms_key_manager"] = unknown
            else:
                values["kms_key_manager"] = (described.get("KeyMetadata") or {}).get("KeyManager")
        yield Resource(
            type="aws_backup_vault",
            id=vault["BackupVaultArn"],
            source="aws",
            location=location,
            attributes=values,
            raw={"vault": dict(vault), "key": keys.get(key) if key else None},
        )


COLLECTOR = Collector(
    name="backup",
    actions=(
        "backup:ListBackupPlans",
        "backup:ListBackupSelections",
        "backup:GetBackupSelection",
        "backup:ListBackupVaults",
        "kms:DescribeKey",
    ),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_backup_selection", "aws_backup_region_settings", "aws_backup_vault"),
)
