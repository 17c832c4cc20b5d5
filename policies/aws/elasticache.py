"""ElastiCache replication groups (Redis OSS / Valkey): encryption at rest and in transit."""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check


@check(
    id="elasticache_replication_group_encrypted_at_rest",
    title="ElastiCache replication groups encrypt data at rest",
    severity="high",
    resource_types=["aws_elasticache_replication_group"],
    references={
        "checkov": ["CKV_AWS_29"],
        "aws_config": ["elasticache-repl-grp-encrypted-at-rest"],
    },
)
def elasticache_replication_group_encrypted_at_rest(group: Resource) -> Result:
    """Cached records, swap and backups of a group without encryption at rest are written to
    disk in the clear; a cache in front of ePHI holds ePHI.

    Default: false for the `redis` engine, true for `valkey`. It can only be set at creation.

    Remediation:

        resource "aws_elasticache_replication_group" "phi" {
          at_rest_encryption_enabled = true
          kms_key_id                 = aws_kms_key.cache.arn
        }
    """
    engine = group.get("engine")
    if is_unknown(engine) or is_reference(engine):
        default = None
    else:
        default = str(engine or "redis").lower() == "valkey"
    if group.get("at_rest_encryption_enabled") is None and default is None:
        return Result.unknown("at_rest_encryption_enabled is not set and the engine is not known")
    if group.get_bool("at_rest_encryption_enabled", bool(default)):
        return Result.passed("encryption at rest is enabled")
    return Result.failed("encryption at rest is not enabled")


@check(
    id="elasticache_replication_group_encrypted_in_transit",
    title="ElastiCache replication groups require TLS in transit",
    severity="high",
    resource_types=["aws_elasticache_replication_group"],
    references={
        "checkov": ["CKV_AWS_30"],
        "aws_config": ["elasticache-repl-grp-encrypted-in-transit"],
    },
)
def elasticache_replication_group_encrypted_in_transit(group: Resource) -> Result:
    """Without in-transit encryption, commands and cached values cross the network in plain
    text; in `preferred` mode TLS is offered but plain connections are still accepted.

    Defaults: `transit_encryption_enabled` is false; when enabled, `transit_encryption_mode`
    defaults to `required`.

    Remediation:

        resource "aws_elasticache_replication_group" "phi" {
          transit_encryption_enabled = true
          transit_encryption_mode    = "required"
        }
    """
    if not group.get_bool("transit_encryption_enabled", False):
        return Result.failed("transit_encryption_enabled is not true: traffic is unencrypted")
    mode = group.get("transit_encryption_mode")
    if is_unknown(mode) or is_reference(mode):
        return Result.unknown(f"transit_encryption_mode is not known ({mode})")
    if mode is not None and str(mode).lower() == "preferred":
        return Result.failed("transit_encryption_mode is preferred: plain connections accepted")
    return Result.passed("TLS is required in transit")
