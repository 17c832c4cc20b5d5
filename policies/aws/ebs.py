"""EBS encryption: per volume, and the regional encrypt-by-default setting."""

from __future__ import annotations

from scanner.core.model import Resource, Result
from scanner.core.registry import check


@check(
    id="ebs_volume_encrypted",
    title="EBS volumes are encrypted",
    severity="high",
    resource_types=["aws_ebs_volume"],
    references={"checkov": ["CKV_AWS_3"], "aws_config": ["encrypted-volumes"]},
)
def ebs_volume_encrypted(volume: Resource) -> Result:
    """An encrypted volume encrypts data at rest, its snapshots and the traffic between the
    instance and the volume; an unencrypted one cannot be encrypted in place.

    Default: `encrypted` is false unless the region has encryption by default enabled, which
    this check cannot see per volume: declare it. A volume created from a snapshot inherits the
    snapshot's encryption, so without an explicit value it is unknown.

    Remediation:

        resource "aws_ebs_volume" "data" {
          encrypted  = true
          kms_key_id = aws_kms_key.ebs.arn
        }
    """
    encrypted = volume.get("encrypted")
    if encrypted is None:
        snapshot = volume.get("snapshot_id")
        if snapshot is not None:
            return Result.unknown(
                f"encrypted is not set and is inherited from snapshot {snapshot} (not evaluated)"
            )
        return Result.failed("encrypted is not set (default false unless encryption by default)")
    if volume.get_bool("encrypted", False):
        return Result.passed("encrypted is true")
    return Result.failed("encrypted is false")


@check(
    id="ebs_encryption_by_default_enabled",
    title="EBS encryption by default is enabled in the region",
    severity="high",
    resource_types=["aws_ebs_encryption_by_default"],
    references={"checkov": ["CKV_AWS_106"], "aws_config": ["ec2-ebs-encryption-by-default"]},
)
def ebs_encryption_by_default_enabled(setting: Resource) -> Result:
    """With encryption by default, every new volume and snapshot copy in the region is encrypted,
    including those created by autoscaling, AMIs or tools outside this configuration.

    Default: the resource's `enabled` argument is true when absent.

    Remediation:

        resource "aws_ebs_encryption_by_default" "this" {
          enabled = true
        }
    """
    if setting.get_bool("enabled", True):
        return Result.passed("EBS encryption by default is enabled")
    return Result.failed("EBS encryption by default is disabled (enabled = false)")
