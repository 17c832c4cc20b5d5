"""How a check tells an AWS-managed KMS key from a customer-managed one in a key argument."""

from __future__ import annotations

from typing import Any

from scanner.core.model import is_reference


def is_data_source_reference(reference: str) -> bool:
    """`data.aws_kms_alias.s3.target_key_arn`, `module.x.data.aws_kms_key.k.arn`: a key looked
    up by a data source, which may be an AWS-managed key (`alias/aws/<service>`)."""
    return reference.startswith("data.") or ".data." in reference


def is_looked_up_key(key: Any) -> bool:
    """A key that comes from a data source (a computed reference to one)."""
    return is_reference(key) and is_data_source_reference(key)


def is_aws_managed_alias(key: Any, service: str) -> bool:
    """A literal key naming the AWS-managed key of `service` (`alias/aws/lambda`, or its ARN)."""
    return isinstance(key, str) and not is_reference(key) and key.endswith(f"alias/aws/{service}")
