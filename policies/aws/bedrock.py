"""Amazon Bedrock: model-invocation logging."""

from __future__ import annotations

from typing import Any

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check


def _destination(blocks: Any, key: str) -> tuple[bool | None, str]:
    """Whether a cloudwatch_config / s3_config block names where the logs go."""
    if is_unknown(blocks):
        return None, f"{key} is unknown ({blocks})"
    for block in blocks or []:
        value = block.get(key) if isinstance(block, dict) else None
        if is_unknown(value):
            return None, f"{key} is not known ({value})"
        if is_reference(value) or (isinstance(value, str) and value):
            return True, f"{key} {value}"
    return False, ""


@check(
    id="bedrock_model_invocation_logging_enabled",
    title="Bedrock model invocations are logged",
    severity="medium",
    resource_types=["aws_bedrock_model_invocation_logging_configuration"],
)
def bedrock_model_invocation_logging_enabled(setting: Resource) -> Result:
    """Prompts and completions sent to a foundation model may carry ePHI; without invocation
    logging nobody can tell afterwards who sent what to which model (audit controls).

    Judged: each region's setting (live: GetModelInvocationLoggingConfiguration; Terraform:
    `aws_bedrock_model_invocation_logging_configuration`). Passes when a CloudWatch Logs group
    or an S3 bucket receives the logs. Keep the log destination encrypted and its access
    restricted: the logs hold the prompts themselves.

    Remediation:

        resource "aws_bedrock_model_invocation_logging_configuration" "this" {
          logging_config {
            text_data_delivery_enabled = true
            cloudwatch_config {
              log_group_name = aws_cloudwatch_log_group.bedrock.name
              role_arn       = aws_iam_role.bedrock_logging.arn
            }
          }
        }
    """
    config = setting.get("logging_config")
    if is_unknown(config):
        return Result.unknown(f"the logging configuration could not be read: {config}")
    undecided = ""
    for block in config or []:
        if not isinstance(block, dict):
            continue
        for blocks, key in (("cloudwatch_config", "log_group_name"), ("s3_config", "bucket_name")):
            found, how = _destination(block.get(blocks), key)
            if found:
                return Result.passed(f"model invocations are logged ({how})")
            if found is None:
                undecided = undecided or how
    if undecided:
        return Result.unknown(f"the log destination is not known: {undecided}")
    return Result.failed("model invocation logging is off: no CloudWatch Logs group or S3 bucket")
