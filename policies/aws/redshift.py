"""Redshift provisioned clusters: encryption, public access and audit logging.

The AWS provider changed two defaults in v6 (`encrypted` true, `publicly_accessible` false;
v5 had false and true). A configuration that leaves them unset therefore means different things
under different provider versions, and the result is unknown until the value is set explicitly.
"""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check


@check(
    id="redshift_cluster_encrypted",
    title="Redshift clusters encrypt data at rest",
    severity="high",
    resource_types=["aws_redshift_cluster"],
    references={"checkov": ["CKV_AWS_64"]},
)
def redshift_cluster_encrypted(cluster: Resource) -> Result:
    """An unencrypted warehouse keeps its blocks, snapshots and backups in the clear; analytics
    copies of ePHI need the same protection as the source systems.

    Default: depends on the provider version (false before v6, true from v6), so an unset value
    is unknown here; the live API reports the real state.

    Remediation:

        resource "aws_redshift_cluster" "phi" {
          encrypted  = true
          kms_key_id = aws_kms_key.redshift.arn
        }
    """
    if cluster.get("encrypted") is None:
        return Result.unknown(
            "encrypted is not set: the default depends on the AWS provider version; set it"
        )
    if cluster.get_bool("encrypted", False):
        return Result.passed("encrypted is true")
    return Result.failed("encrypted is false: cluster storage is not encrypted")


@check(
    id="redshift_cluster_not_publicly_accessible",
    title="Redshift clusters are not publicly accessible",
    severity="critical",
    resource_types=["aws_redshift_cluster"],
    references={"checkov": ["CKV_AWS_87"], "aws_config": ["redshift-cluster-public-access-check"]},
)
def redshift_cluster_not_publicly_accessible(cluster: Resource) -> Result:
    """A publicly accessible cluster gets a public IP and DNS name, leaving security groups as
    the only barrier between the internet and the warehouse.

    Default: depends on the provider version (true before v6, false from v6), so an unset value
    is unknown here; the live API reports the real state.

    Remediation:

        resource "aws_redshift_cluster" "phi" {
          publicly_accessible = false
        }
    """
    if cluster.get("publicly_accessible") is None:
        return Result.unknown(
            "publicly_accessible is not set: the default depends on the AWS provider version"
        )
    if cluster.get_bool("publicly_accessible", True):
        return Result.failed("publicly_accessible is true: the cluster has a public endpoint")
    return Result.passed("publicly_accessible is false")


@check(
    id="redshift_cluster_audit_logging_enabled",
    title="Redshift clusters have audit logging enabled",
    severity="medium",
    resource_types=["aws_redshift_cluster"],
    references={"checkov": ["CKV_AWS_71"]},
)
def redshift_cluster_audit_logging_enabled(cluster: Resource) -> Result:
    """Audit logging records connections, users and the queries they ran; without it there is no
    record of who read ePHI from the warehouse.

    Default: off. It is turned on by an `aws_redshift_logging` resource (provider v5.x and later)
    or the cluster's legacy `logging { enable = true }` block.

    Remediation:

        resource "aws_redshift_logging" "phi" {
          cluster_identifier   = aws_redshift_cluster.phi.id
          log_destination_type = "cloudwatch"
          log_exports          = ["connectionlog", "userlog", "useractivitylog"]
        }
    """
    logging = cluster.get("logging")
    if is_unknown(logging) or is_reference(logging):
        return Result.unknown(f"logging is not known ({logging})")
    if not logging:
        return Result.failed("audit logging is not enabled")
    if cluster.get_bool("logging.0.enable", False):
        destination = cluster.get("logging.0.log_destination_type") or cluster.get(
            "logging.0.bucket_name"
        )
        named = f" ({destination})" if isinstance(destination, str) else ""
        return Result.passed(f"audit logging is enabled{named}")
    return Result.failed("audit logging is disabled")


@check(
    id="redshift_cluster_automated_snapshots_enabled",
    title="Redshift clusters keep automated snapshots",
    severity="medium",
    resource_types=["aws_redshift_cluster"],
    references={"aws_config": ["redshift-backup-enabled"]},
)
def redshift_cluster_automated_snapshots_enabled(cluster: Resource) -> Result:
    """Automated snapshots are the warehouse's point-in-time backups; a retention of 0 disables
    them, leaving nothing to restore after a bad load or a deleted table.

    Default: `automated_snapshot_retention_period` is 1 day.

    Remediation:

        resource "aws_redshift_cluster" "phi" {
          automated_snapshot_retention_period = 7
        }
    """
    days = cluster.get_number("automated_snapshot_retention_period", 1)
    if days >= 1:
        return Result.passed(f"automated snapshots are kept for {days} day(s)")
    return Result.failed("automated_snapshot_retention_period is 0: automated snapshots are off")
