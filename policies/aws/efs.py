"""EFS file systems: encryption at rest and automatic backups."""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check


@check(
    id="efs_file_system_encrypted_at_rest",
    title="EFS file systems encrypt data at rest",
    severity="high",
    resource_types=["aws_efs_file_system"],
    references={"checkov": ["CKV_AWS_42"], "aws_config": ["efs-encrypted-check"]},
)
def efs_file_system_encrypted_at_rest(fs: Resource) -> Result:
    """Files on an unencrypted EFS file system, and its backups, are stored in the clear;
    encryption at rest can only be chosen when the file system is created.

    Default: `encrypted` is false.

    Remediation: create an encrypted file system and copy the data across (DataSync):

        resource "aws_efs_file_system" "phi" {
          encrypted  = true
          kms_key_id = aws_kms_key.efs.arn
        }
    """
    if fs.get_bool("encrypted", False):
        key = fs.get("kms_key_id")
        return Result.passed(f"encrypted at rest with {key}" if key else "encrypted at rest")
    return Result.failed("encrypted is not true: the file system is not encrypted at rest")


@check(
    id="efs_file_system_backup_policy_enabled",
    title="EFS file systems have automatic backups enabled",
    severity="medium",
    resource_types=["aws_efs_file_system"],
)
def efs_file_system_backup_policy_enabled(fs: Resource) -> Result:
    """The EFS backup policy puts the file system in AWS Backup's default daily plan (35-day
    retention); without it, or an AWS Backup plan of your own, a deleted or corrupted file has no
    copy to restore.

    Default: no `aws_efs_backup_policy` means automatic backups are off (file systems created in
    the console get one; the API and Terraform do not).

    Remediation:

        resource "aws_efs_backup_policy" "phi" {
          file_system_id = aws_efs_file_system.phi.id
          backup_policy { status = "ENABLED" }
        }
    """
    policy = fs.get("backup_policy")
    if is_unknown(policy):
        return Result.unknown(f"the backup policy is not known ({policy})")
    if not policy:
        return Result.failed("no backup policy: automatic backups are off")
    status = fs.get("backup_policy.0.status")
    if status is None:
        return Result.failed("the backup policy has no status: automatic backups are off")
    if is_unknown(status) or is_reference(status) or not isinstance(status, str):
        return Result.unknown(f"backup policy status is not known ({status})")
    if status.upper() in ("ENABLED", "ENABLING"):
        return Result.passed(f"backup policy status is {status}")
    return Result.failed(f"backup policy status is {status}: automatic backups are off")
