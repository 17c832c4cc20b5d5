"""AWS Backup: which data stores a backup plan covers, and how its vaults are encrypted.

Coverage rule (how `backup_data_store_in_backup_plan` decides). A data store (RDS instance or
cluster, DynamoDB table, EFS file system) is covered by a backup selection when it is included
and not excluded, and the selection's conditions hold:

- included: an entry of `resources` matches it (`*` matches everything; a live ARN pattern
  matches with `*` wildcards as AWS Backup does; in Terraform a reference such as
  `aws_db_instance.phi.arn` matches that resource), or a `selection_tag` (STRINGEQUALS) matches
  one of its tags;
- excluded: an entry of `not_resources` matches it, the same way;
- conditions (`condition` block; live `Conditions`): every StringEquals / StringNotEquals /
  StringLike / StringNotLike on `aws:ResourceTag/<key>` holds (AND).

What cannot be decided is unknown, never covered: a Terraform ARN pattern other than `*`
(the resource's ARN is not known before apply), a tag value from an unresolved variable, a live
resource whose tags are not collected (DynamoDB), a selection or plan list that could not be
read, a Terraform selection whose count/for_each is unknown (it may not be created). Live
resources are matched only against selections of their own account and region, and Terraform
ones against selections of their own root module.

A Terraform root module that declares no `aws_backup_selection` at all is not judged (no
finding, one scan warning): it leaves backups to whoever manages AWS Backup for the account (an
organisation backup policy, another stack), so coverage is an account-wide property that this
input cannot speak about, and `comply scan aws` judges it on the live account. Reporting
`unknown` on every data store of every module repository would teach users to ignore the
check; reporting `fail` would be wrong wherever an organisation policy covers them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from scanner.core.model import (
    NotJudged,
    Resource,
    Result,
    is_reference,
    is_unknown,
    split_root_label,
    terraform_address,
)
from scanner.core.registry import check

DATA_STORES = ["aws_db_instance", "aws_rds_cluster", "aws_dynamodb_table", "aws_efs_file_system"]
SELECTION = "aws_backup_selection"
REGION_SETTINGS = "aws_backup_region_settings"
# ARN service segment of each data store type (a pattern for another service cannot match).
ARN_SERVICE = {
    "aws_db_instance": "rds",
    "aws_rds_cluster": "rds",
    "aws_dynamodb_table": "dynamodb",
    "aws_efs_file_system": "elasticfilesystem",
}
TAG_KEY_PREFIX = "aws:ResourceTag/"
Maybe = bool | None  # three-valued: None is "cannot be decided"
NO_SELECTION_DECLARED = NotJudged(
    "the configuration declares no aws_backup_selection, so AWS Backup coverage is an "
    "account-wide property it cannot show; `comply scan aws` judges it on the live account"
)


def _any(values: Sequence[Maybe]) -> Maybe:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _all(values: Sequence[Maybe]) -> Maybe:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _arn_matches(store: Resource, pattern: Any) -> Maybe:
    if is_unknown(pattern):
        return None
    if is_reference(pattern):
        address, _, _ = str(pattern).rpartition(".")
        return store.source == "terraform" and address == terraform_address(store.id)
    if not isinstance(pattern, str):
        return None
    if pattern == "*":
        return True
    if store.source != "terraform":
        return fnmatchcase(store.id, pattern)
    parts = pattern.split(":")
    if len(parts) > 2 and parts[2] not in ("*", ARN_SERVICE[store.type]):
        return False
    return None  # an ARN pattern against a resource whose ARN exists only after apply


def _tags(store: Resource) -> Mapping[str, Any] | None:
    tags = store.get("tags")
    if is_unknown(tags) or (tags is None and store.source != "terraform"):
        return None  # unresolved, or not collected for this live type
    return tags if isinstance(tags, Mapping) else {}


def _tag_test(store: Resource, key: Any, value: Any, operator: str) -> Maybe:
    tags = _tags(store)
    if tags is None or is_unknown(key) or is_unknown(value) or is_reference(value):
        return None
    name = str(key).removeprefix(TAG_KEY_PREFIX)
    actual = tags.get(name)
    if is_unknown(actual) or is_reference(actual):
        return None
    if operator == "string_equals":
        return bool(actual == value)
    if operator == "string_not_equals":
        return bool(actual != value)
    like = actual is not None and fnmatchcase(str(actual), str(value))
    return like if operator == "string_like" else not like


def _covers(selection: Resource, store: Resource) -> Maybe:
    resources = selection.get("resources")
    tags = selection.get("selection_tag")
    conditions = selection.get("condition")
    excluded = selection.get("not_resources")
    if any(is_unknown(v) for v in (resources, tags, conditions, excluded)):
        return None
    included = _any(
        [_arn_matches(store, p) for p in resources or []]
        + [
            _tag_test(store, t.get("key"), t.get("value"), "string_equals")
            if isinstance(t, Mapping)
            else None
            for t in tags or []
        ]
    )
    tests: list[Maybe] = []
    for block in conditions or []:
        if not isinstance(block, Mapping):
            tests.append(None)
            continue
        for operator in ("string_equals", "string_not_equals", "string_like", "string_not_like"):
            for entry in block.get(operator) or []:
                ok = isinstance(entry, Mapping)
                tests.append(
                    _tag_test(store, entry.get("key"), entry.get("value"), operator) if ok else None
                )
    excluded_hit = _any([_arn_matches(store, p) for p in excluded or []])
    return _all([included, None if excluded_hit is None else not excluded_hit, _all(tests)])


def _may_cover(selection: Resource, store: Resource) -> Maybe:
    """`_covers`, for a selection that exists: one whose count/for_each is unknown may never be
    created, so what it would cover is not covered for certain."""
    covers = _covers(selection, store)
    return None if covers is True and selection.existence is not None else covers


def _label(selection: Resource) -> str:
    name = selection.get("name")
    return str(name) if isinstance(name, str) and not is_reference(name) else selection.id


@check(
    id="backup_data_store_in_backup_plan",
    title="RDS, DynamoDB and EFS data stores are covered by an AWS Backup plan",
    severity="medium",
    resource_types=DATA_STORES,
    context_types=[SELECTION, REGION_SETTINGS],
    scope="inventory",
    references={
        "aws_config": ["rds-in-backup-plan", "dynamodb-in-backup-plan", "efs-in-backup-plan"]
    },
)
def backup_data_store_in_backup_plan(
    resources: Sequence[Resource],
) -> Iterator[tuple[Resource, Result | NotJudged]]:
    """A backup plan copies the data store on a schedule into a vault, with its own retention
    and outside the service's own (deletable) snapshots; it is the data backup plan HIPAA asks
    for, for every store of ePHI. How coverage is decided is in this module's docstring
    (docs/aws.md: "AWS Backup coverage").

    Remediation: select the store in a plan, by ARN or by tag:

        resource "aws_backup_selection" "phi" {
          name         = "phi"
          plan_id      = aws_backup_plan.daily.id
          iam_role_arn = aws_iam_role.backup.arn
          selection_tag {
            type  = "STRINGEQUALS"
            key   = "backup"
            value = "daily"
          }
        }
    """
    selections = [r for r in resources if r.type == SELECTION]
    markers: dict[tuple[str | None, str | None], Any] = {
        (r.location.account, r.location.region): r.get("plans_listed")
        for r in resources
        if r.type == REGION_SETTINGS
    }
    for store in resources:
        if store.type not in DATA_STORES:
            continue
        if store.source == "terraform":
            root = split_root_label(store.id)[0]
            candidates = [
                s
                for s in selections
                if s.source == "terraform" and split_root_label(s.id)[0] == root
            ]
            if not candidates:
                yield store, NO_SELECTION_DECLARED
                continue
        else:
            place = (store.location.account, store.location.region)
            candidates = [
                s
                for s in selections
                if s.source == store.source and (s.location.account, s.location.region) == place
            ]
        verdicts = [(selection, _may_cover(selection, store)) for selection in candidates]
        covering = [s for s, v in verdicts if v is True]
        if covering:
            yield store, Result.passed(f"covered by backup selection {_label(covering[0])}")
            continue
        undecided = [s for s, v in verdicts if v is None]
        if undecided:
            yield (
                store,
                Result.unknown(
                    f"whether backup selection {_label(undecided[0])} covers it cannot be decided"
                ),
            )
            continue
        if store.source == "terraform":
            yield store, Result.failed("no backup selection in the configuration covers it")
            continue
        marker = markers.get((store.location.account, store.location.region))
        if marker is None:
            yield store, Result.unknown("AWS Backup was not collected in this region")
        elif is_unknown(marker):
            yield store, Result.unknown(f"the backup plans could not be read: {marker}")
        else:
            yield store, Result.failed("no AWS Backup plan in its region selects it")


@check(
    id="backup_vault_encrypted_with_customer_key",
    title="AWS Backup vaults encrypt recovery points with a customer-managed KMS key",
    severity="medium",
    resource_types=["aws_backup_vault"],
    references={"checkov": ["CKV_AWS_166"]},
)
def backup_vault_encrypted_with_customer_key(vault: Resource) -> Result:
    """Recovery points are always encrypted, but with the AWS-managed aws/backup key anyone with
    backup permissions in the account can restore them; a customer key's policy decides who may
    decrypt a copy of ePHI, and every use is logged.

    Default: without `kms_key_arn` the vault uses the AWS-managed key aws/backup.

    Remediation:

        resource "aws_backup_vault" "phi" {
          name        = "phi"
          kms_key_arn = aws_kms_key.backup.arn
        }
    """
    key = vault.get("kms_key_arn")
    if is_unknown(key):
        return Result.unknown(f"kms_key_arn is not known ({key})")
    if not key:
        return Result.failed("no kms_key_arn: recovery points use the AWS-managed aws/backup key")
    if isinstance(key, str) and not is_reference(key) and key.endswith(":alias/aws/backup"):
        return Result.failed("kms_key_arn is the AWS-managed aws/backup key")
    manager = vault.get("kms_key_manager")
    if is_unknown(manager):
        return Result.unknown(f"whether the key is customer-managed is not known ({manager})")
    if manager == "AWS":
        return Result.failed(f"{key} is an AWS-managed key")
    return Result.passed(f"recovery points are encrypted with {key}")
