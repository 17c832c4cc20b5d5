"""RDS instance operations: database logs shipped to CloudWatch and minor-version patching."""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check


@check(
    id="rds_instance_cloudwatch_logs_exported",
    title="RDS instances export database logs to CloudWatch Logs",
    severity="medium",
    resource_types=["aws_db_instance"],
    references={"checkov": ["CKV_AWS_129"], "aws_config": ["rds-logging-enabled"]},
)
def rds_instance_cloudwatch_logs_exported(db: Resource) -> Result:
    """Engine logs (audit, error, general, slow query, postgresql, ...) kept only on the
    instance rotate away within days and vanish with it; exported to CloudWatch Logs they are
    retained, searchable and alarmable as a record of activity on the database.

    Default: `enabled_cloudwatch_logs_exports` is empty (nothing exported). Any exported log type
    passes; which types an engine must export (e.g. `audit` for MySQL with the audit plugin) is
    a choice this check does not make.

    Remediation:

        resource "aws_db_instance" "phi" {
          enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
        }
    """
    exports = db.get("enabled_cloudwatch_logs_exports")
    if is_unknown(exports) or is_reference(exports):
        return Result.unknown(f"enabled_cloudwatch_logs_exports is not known ({exports})")
    listed = exports if isinstance(exports, list) else []
    known = sorted(str(e) for e in listed if isinstance(e, str) and not is_reference(e))
    if known:
        return Result.passed(f"exports {', '.join(known)} to CloudWatch Logs")
    if listed:
        return Result.unknown("enabled_cloudwatch_logs_exports holds only unresolved values")
    return Result.failed("no database log is exported to CloudWatch Logs")


@check(
    id="rds_instance_auto_minor_version_upgrade_enabled",
    title="RDS instances apply minor engine upgrades automatically",
    severity="low",
    resource_types=["aws_db_instance"],
    references={
        "checkov": ["CKV_AWS_226"],
        "aws_config": ["rds-automatic-minor-version-upgrade-enabled"],
    },
)
def rds_instance_auto_minor_version_upgrade_enabled(db: Resource) -> Result:
    """Minor engine versions carry security fixes; with automatic minor upgrades RDS applies
    them in the maintenance window instead of waiting for someone to remember.

    Default: `auto_minor_version_upgrade` is true.

    Remediation:

        resource "aws_db_instance" "phi" {
          auto_minor_version_upgrade = true
        }
    """
    if db.get_bool("auto_minor_version_upgrade", True):
        return Result.passed("auto_minor_version_upgrade is true")
    return Result.failed("auto_minor_version_upgrade is false: security patches wait for a person")
