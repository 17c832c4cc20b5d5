"""SQS queues: encryption of messages at rest."""

from __future__ import annotations

from scanner.core.model import Resource, Result
from scanner.core.registry import check


@check(
    id="sqs_queue_encrypted",
    title="SQS queues encrypt messages at rest",
    severity="medium",
    resource_types=["aws_sqs_queue"],
    references={"checkov": ["CKV_AWS_27"]},
)
def sqs_queue_encrypted(queue: Resource) -> Result:
    """Queued messages can hold ePHI for up to 14 days; they must be encrypted while stored.

    Passes with SSE-KMS (`kms_master_key_id`) or SSE-SQS. Default: SQS enables SSE-SQS on new
    queues when `sqs_managed_sse_enabled` is absent; only an explicit false (without a KMS key)
    fails.

    Remediation:

        resource "aws_sqs_queue" "jobs" {
          kms_master_key_id = aws_kms_key.sqs.id
        }
    """
    key = queue.get("kms_master_key_id")
    if key:
        return Result.passed(f"messages are encrypted with SSE-KMS ({key})")
    if queue.get_bool("sqs_managed_sse_enabled", True):
        return Result.passed("messages are encrypted with SSE-SQS")
    return Result.failed(
        "sqs_managed_sse_enabled is false and no KMS key: messages are unencrypted"
    )
