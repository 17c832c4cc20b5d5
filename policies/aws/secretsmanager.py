"""Secrets Manager secrets (`aws_secretsmanager_secret`, live AWS only).

The Secrets Manager collector reads ListSecrets metadata only (never a secret value). Terraform
configures rotation in the companion `aws_secretsmanager_secret_rotation`, which the Terraform
source does not fold into the secret, so these checks judge only resources collected from AWS.
"""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check


def _schedule(secret: Resource) -> str:
    days = secret.get("rotation_rules.0.automatically_after_days")
    expression = secret.get("rotation_rules.0.schedule_expression")
    if expression and not is_unknown(expression):
        return f" on schedule {expression}"
    if days is not None and not is_unknown(days):
        return f" every {days} days"
    return ""


@check(
    id="secretsmanager_secret_rotation_enabled",
    title="Secrets Manager secrets rotate automatically",
    severity="medium",
    resource_types=["aws_secretsmanager_secret"],
    references={"aws_config": ["secretsmanager-rotation-enabled-check"]},
    sources=["aws"],
)
def secretsmanager_secret_rotation_enabled(secret: Resource) -> Result:
    """A database password or API key that never changes keeps working for whoever copied it, for
    as long as the secret lives. Automatic rotation bounds that window without anyone handling the
    value (password management).

    `rotation_enabled` comes from ListSecrets; AWS omits it for a secret that never had rotation
    configured, which the collector records as false.

    Remediation: configure rotation (`aws secretsmanager rotate-secret --secret-id ID
    --rotation-rules AutomaticallyAfterDays=30`, with a rotation Lambda for non-managed secrets), or
    in Terraform:

        resource "aws_secretsmanager_secret_rotation" "db" {
          secret_id           = aws_secretsmanager_secret.db.id
          rotation_lambda_arn = aws_lambda_function.rotate.arn
          rotation_rules {
            automatically_after_days = 30
          }
        }
    """
    name = secret.get("name")
    enabled = secret.get("rotation_enabled")
    if is_unknown(enabled):
        return Result.unknown(f"rotation of {name} is unknown: {enabled.reason}")
    if enabled is None:
        return Result.unknown(f"ListSecrets returned no rotation status for {name}")
    if secret.get_bool("rotation_enabled", False):
        return Result.passed(f"{name} rotates automatically{_schedule(secret)}")
    if secret.get("rotation_lambda_arn"):
        return Result.failed(f"rotation of {name} is turned off (a rotation function is still set)")
    return Result.failed(f"{name} has no automatic rotation")
