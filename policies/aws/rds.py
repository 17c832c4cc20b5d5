"""RDS checks over `aws_db_instance` and, where the argument exists, `aws_rds_cluster`.

Defaults stated below are the AWS provider's / the RDS API's when the argument is absent.
"""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check

MIN_BACKUP_RETENTION_DAYS = 7
# RDS IAM database authentication exists for MySQL, MariaDB and PostgreSQL engines only.
IAM_AUTH_UNSUPPORTED_ENGINE_PREFIXES = ("oracle", "sqlserver", "db2", "custom-")


def _kind(resource: Resource) -> str:
    return "cluster" if resource.type == "aws_rds_cluster" else "instance"


@check(
    id="rds_instance_storage_encrypted",
    title="RDS instances and clusters encrypt storage at rest",
    severity="high",
    resource_types=["aws_db_instance", "aws_rds_cluster"],
    references={
        "checkov": ["CKV_AWS_16", "CKV_AWS_96"],
        "aws_config": ["rds-storage-encrypted", "rds-cluster-encrypted-at-rest"],
    },
)
def rds_instance_storage_encrypted(db: Resource) -> Result:
    """Database storage, automated backups, snapshots and replicas of an encrypted instance are
    encrypted with KMS; encryption cannot be switched on later without a snapshot-restore.

    Defaults: `storage_encrypted` is false, except for Aurora Serverless v1 clusters
    (`engine_mode = "serverless"`), which are always encrypted. A read replica or a restore from
    snapshot inherits its source's encryption, so without an explicit value it is unknown.

    Remediation: set `storage_encrypted = true` (and `kms_key_id` to a customer key) when creating
    the database; for an existing one, restore an encrypted copy of a snapshot:

        resource "aws_db_instance" "phi" {
          storage_encrypted = true
          kms_key_id        = aws_kms_key.rds.arn
        }
    """
    declared = db.get("storage_encrypted")
    if declared is None:
        if db.type == "aws_rds_cluster" and db.get("engine_mode") == "serverless":
            return Result.passed("Aurora Serverless v1 cluster storage is always encrypted")
        for source in (
            "replicate_source_db",
            "replication_source_identifier",
            "snapshot_identifier",
            "restore_to_point_in_time",
        ):
            if db.get(source) is not None:
                origin = db.get(source)
                named = f" {origin}" if isinstance(origin, str) else ""
                return Result.unknown(
                    f"storage_encrypted is not set and is inherited from the source "
                    f"({source}{named}), which is not evaluated here"
                )
        return Result.failed(
            f"storage_encrypted is not set (default false): {_kind(db)} storage is unencrypted"
        )
    if db.get_bool("storage_encrypted", False):
        return Result.passed("storage_encrypted is true")
    return Result.failed(f"storage_encrypted is false: {_kind(db)} storage is unencrypted")


@check(
    id="rds_instance_not_publicly_accessible",
    title="RDS instances are not publicly accessible",
    severity="critical",
    resource_types=["aws_db_instance", "aws_rds_cluster_instance"],
    references={"checkov": ["CKV_AWS_17"], "aws_config": ["rds-instance-public-access-check"]},
)
def rds_instance_not_publicly_accessible(db: Resource) -> Result:
    """A publicly accessible instance gets a public DNS name and IP, leaving security groups as
    the only barrier between the internet and a database of ePHI.

    Default: `publicly_accessible` is false.

    Remediation: keep the instance private and reach it through the VPC:

        resource "aws_db_instance" "phi" {
          publicly_accessible = false
        }
    """
    if db.get_bool("publicly_accessible", False):
        return Result.failed("publicly_accessible is true: the instance has a public endpoint")
    return Result.passed("publicly_accessible is false")


@check(
    id="rds_instance_backup_retention_7_days",
    title="RDS instances and clusters keep automated backups for at least 7 days",
    severity="medium",
    resource_types=["aws_db_instance", "aws_rds_cluster"],
    references={"checkov": ["CKV_AWS_133"], "aws_config": ["db-instance-backup-enabled"]},
)
def rds_instance_backup_retention_7_days(db: Resource) -> Result:
    """Automated backups with point-in-time restore are the data backup plan for the database;
    one day (the API default) is too short to notice and recover from corruption or deletion.

    Default: `backup_retention_period` is 1 day when absent; 0 disables backups.

    Remediation: keep at least a week of backups:

        resource "aws_db_instance" "phi" {
          backup_retention_period = 14
        }
    """
    days = db.get_number("backup_retention_period", 1)
    if days >= MIN_BACKUP_RETENTION_DAYS:
        return Result.passed(f"backup_retention_period is {days} days")
    if days == 0:
        return Result.failed("backup_retention_period is 0: automated backups are disabled")
    return Result.failed(
        f"backup_retention_period is {days} day(s), below {MIN_BACKUP_RETENTION_DAYS}"
    )


@check(
    id="rds_instance_deletion_protection_enabled",
    title="RDS instances and clusters have deletion protection enabled",
    severity="medium",
    resource_types=["aws_db_instance", "aws_rds_cluster"],
    references={
        "checkov": ["CKV_AWS_293", "CKV_AWS_139"],
        "aws_config": [
            "rds-instance-deletion-protection-enabled",
            "rds-cluster-deletion-protection-enabled",
        ],
    },
)
def rds_instance_deletion_protection_enabled(db: Resource) -> Result:
    """Deletion protection makes an accidental `terraform destroy` or console delete fail instead
    of destroying the database (and, by default, its automated backups).

    Default: `deletion_protection` is false.

    Remediation:

        resource "aws_db_instance" "phi" {
          deletion_protection = true
        }
    """
    if db.get_bool("deletion_protection", False):
        return Result.passed("deletion_protection is true")
    return Result.failed(f"deletion_protection is not enabled on the {_kind(db)}")


@check(
    id="rds_instance_multi_az_enabled",
    title="RDS instances run Multi-AZ",
    severity="medium",
    resource_types=["aws_db_instance"],
    references={"checkov": ["CKV_AWS_157"], "aws_config": ["rds-multi-az-support"]},
)
def rds_instance_multi_az_enabled(db: Resource) -> Result:
    """A Multi-AZ standby takes over automatically when an Availability Zone or the primary
    fails, keeping ePHI available and the recovery time short. (Aurora clusters replicate storage
    across zones by design and are not in scope.)

    Default: `multi_az` is false.

    Remediation:

        resource "aws_db_instance" "phi" {
          multi_az = true
        }
    """
    if db.get_bool("multi_az", False):
        return Result.passed("multi_az is true")
    return Result.failed("multi_az is not enabled: the instance runs in a single Availability Zone")


@check(
    id="rds_instance_iam_auth_enabled",
    title="RDS instances and clusters enable IAM database authentication",
    severity="medium",
    resource_types=["aws_db_instance", "aws_rds_cluster"],
    references={
        "checkov": ["CKV_AWS_161", "CKV_AWS_162"],
        "aws_config": [
            "rds-instance-iam-authentication-enabled",
            "rds-cluster-iam-authentication-enabled",
        ],
    },
)
def rds_instance_iam_auth_enabled(db: Resource) -> Result:
    """IAM authentication replaces long-lived database passwords with short-lived tokens tied to
    an IAM identity, so access is authenticated per person or workload and revocable centrally.

    Default: `iam_database_authentication_enabled` is false. Engines without IAM authentication
    (Oracle, SQL Server, Db2, RDS Custom) pass with a "not supported" message: the control must
    then be met by the engine's own authentication, which needs manual evidence.

    Remediation:

        resource "aws_db_instance" "phi" {
          iam_database_authentication_enabled = true
        }
    """
    if db.get_bool("iam_database_authentication_enabled", False):
        return Result.passed("iam_database_authentication_enabled is true")
    engine = db.get("engine")
    if is_unknown(engine):
        return Result.unknown(f"IAM authentication is off and engine is unknown: {engine.reason}")
    if isinstance(engine, str) and engine.startswith(IAM_AUTH_UNSUPPORTED_ENGINE_PREFIXES):
        return Result.passed(f"not applicable: engine {engine} does not support IAM authentication")
    return Result.failed(f"IAM database authentication is not enabled on the {_kind(db)}")
