"""SNS topics: encryption of messages at rest."""

from __future__ import annotations

from scanner.core.model import Resource, Result
from scanner.core.registry import check


@check(
    id="sns_topic_encrypted",
    title="SNS topics encrypt messages at rest with KMS",
    severity="medium",
    resource_types=["aws_sns_topic"],
    references={"checkov": ["CKV_AWS_26"], "aws_config": ["sns-encrypted-kms"]},
)
def sns_topic_encrypted(topic: Resource) -> Result:
    """Notifications often carry identifiers or ePHI; SNS stores them unencrypted unless the topic
    has a KMS key.

    Default: no `kms_master_key_id`, no encryption at rest.

    Remediation:

        resource "aws_sns_topic" "alerts" {
          kms_master_key_id = aws_kms_key.sns.id
        }
    """
    key = topic.get("kms_master_key_id")
    if key:
        return Result.passed(f"messages are encrypted with {key}")
    return Result.failed("kms_master_key_id is not set: messages are stored unencrypted")
