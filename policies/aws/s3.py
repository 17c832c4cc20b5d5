"""S3 bucket checks: encryption at rest, versioning, access logging, TLS-only access.

The bucket is the folded canonical `aws_s3_bucket` (docs/resource-schema.md): provider-v4
companion resources and v3 inline blocks arrive in the same shape.
"""

from __future__ import annotations

from typing import Any

from policies.aws.definite_matches import definite_matches
from policies.aws.iam_policy_documents import (
    as_list,
    condition_values,
    principal_is_everyone,
    statements,
)
from policies.aws.kms_keys import is_looked_up_key
from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
ENCRYPTION_ALGORITHMS = ("AES256", *KMS_ALGORITHMS)
AWS_MANAGED_S3_KEY = "alias/aws/s3"


@check(
    id="s3_bucket_encrypted_at_rest",
    title="S3 buckets declare default encryption at rest",
    severity="high",
    resource_types=["aws_s3_bucket"],
    references={
        "checkov": ["CKV_AWS_19"],
        "aws_config": ["s3-bucket-server-side-encryption-enabled"],
    },
)
def s3_bucket_encrypted_at_rest(bucket: Resource) -> Result:
    """Objects holding ePHI must be encrypted at rest, and the configuration must say so.

    Since January 2023 S3 applies SSE-S3 to new objects even without a configuration, but an
    undeclared setting is not evidence: the check asks for an explicit default encryption rule.

    Remediation: add a server-side encryption configuration (SSE-KMS preferred):

        resource "aws_s3_bucket_server_side_encryption_configuration" "phi" {
          bucket = aws_s3_bucket.phi.id
          rule {
            apply_server_side_encryption_by_default {
              sse_algorithm     = "aws:kms"
              kms_master_key_id = aws_kms_key.s3.arn
            }
          }
        }
    """
    encryption = bucket.get("server_side_encryption")
    if encryption is None:
        return Result.failed("no default server-side encryption is configured")
    algorithm = bucket.get("server_side_encryption.sse_algorithm")
    if is_unknown(algorithm):
        return Result.unknown(f"sse_algorithm is unknown: {algorithm.reason}")
    if algorithm in ENCRYPTION_ALGORITHMS:
        return Result.passed(f"default encryption is {algorithm}")
    return Result.failed(f"default encryption algorithm {algorithm!r} is not a valid SSE algorithm")


@check(
    id="s3_bucket_encrypted_with_kms_cmk",
    title="S3 buckets encrypt by default with a customer-managed KMS key",
    severity="medium",
    resource_types=["aws_s3_bucket"],
    references={"checkov": ["CKV_AWS_145"], "aws_config": ["s3-default-encryption-kms"]},
)
def s3_bucket_encrypted_with_kms_cmk(bucket: Resource) -> Result:
    """A customer-managed key lets you control, audit and revoke access to the data key by key
    policy and CloudTrail, which SSE-S3 and the AWS-managed `aws/s3` key do not allow.

    An absent or empty `kms_master_key_id` means the `aws/s3` key (fail). A reference to a key
    created in the configuration (`aws_kms_key.s3.arn`) passes; a key looked up through a data
    source (`data.aws_kms_alias.x.target_key_arn`) may be the AWS-managed key and is unknown.

    Remediation: use `sse_algorithm = "aws:kms"` with `kms_master_key_id` set to your key:

        apply_server_side_encryption_by_default {
          sse_algorithm     = "aws:kms"
          kms_master_key_id = aws_kms_key.s3.arn
        }
    """
    if bucket.get("server_side_encryption") is None:
        return Result.failed("no default server-side encryption is configured")
    algorithm = bucket.get("server_side_encryption.sse_algorithm")
    if algorithm not in KMS_ALGORITHMS:
        return Result.failed(f"default encryption is {algorithm}, not SSE-KMS")
    key = bucket.get("server_side_encryption.kms_master_key_id")
    if is_unknown(key):
        return Result.unknown(f"kms_master_key_id is unknown: {key.reason}")
    if not key or key.endswith(AWS_MANAGED_S3_KEY):
        return Result.failed(f"{algorithm} uses the AWS-managed key aws/s3, not a customer key")
    if is_looked_up_key(key):
        return Result.unknown(
            f"kms_master_key_id comes from {key}, a looked-up key that may be the AWS-managed "
            "aws/s3 key"
        )
    return Result.passed(f"{algorithm} with key {key}")


@check(
    id="s3_bucket_versioning_enabled",
    title="S3 buckets have versioning enabled",
    severity="medium",
    resource_types=["aws_s3_bucket"],
    references={"checkov": ["CKV_AWS_21"], "aws_config": ["s3-bucket-versioning-enabled"]},
)
def s3_bucket_versioning_enabled(bucket: Resource) -> Result:
    """Versioning keeps every prior version of an object, so an overwrite or a delete (by mistake
    or by ransomware) can be undone: it protects integrity and recoverability of the data.

    Remediation: enable versioning (absent means never enabled):

        resource "aws_s3_bucket_versioning" "phi" {
          bucket = aws_s3_bucket.phi.id
          versioning_configuration { status = "Enabled" }
        }
    """
    if bucket.get("versioning") is None:
        return Result.failed("versioning is not configured (S3 default: disabled)")
    if bucket.get_bool("versioning.enabled", False):
        return Result.passed("versioning is Enabled")
    return Result.failed("versioning is Suspended or Disabled")


@check(
    id="s3_bucket_access_logging_enabled",
    title="S3 buckets have server access logging enabled",
    severity="medium",
    resource_types=["aws_s3_bucket"],
    references={"checkov": ["CKV_AWS_18"], "aws_config": ["s3-bucket-logging-enabled"]},
)
def s3_bucket_access_logging_enabled(bucket: Resource) -> Result:
    """Server access logs record every request made to the bucket, which is what an access
    review or an incident investigation over stored ePHI needs.

    Remediation: send access logs to a dedicated log bucket:

        resource "aws_s3_bucket_logging" "phi" {
          bucket        = aws_s3_bucket.phi.id
          target_bucket = aws_s3_bucket.access_logs.id
          target_prefix = "phi/"
        }
    """
    if bucket.get("logging") is None:
        return Result.failed("server access logging is not configured")
    target = bucket.get("logging.target_bucket")
    if not target:
        return Result.failed("logging is declared without a target bucket")
    return Result.passed(f"access logs are delivered to {target}")


# Operators under which `aws:SecureTransport = false` matches exactly the plain-HTTP requests.
SECURE_TRANSPORT_OPERATORS = frozenset(
    {
        "bool",
        "boolifexists",
        "stringequals",
        "stringequalsifexists",
        "stringequalsignorecase",
        "stringequalsignorecaseifexists",
    }
)


def _is_s3_wildcard(action: Any) -> bool:
    if is_unknown(action):
        return bool(action)  # the marker raises: the statement becomes unknown
    return isinstance(action, str) and action.lower() in ("*", "s3:*")


def _is_false(value: Any) -> bool:
    if is_unknown(value):
        return bool(value)  # raises
    return value is False or (isinstance(value, str) and value.lower() == "false")


def _denies_insecure_transport(statement: Any) -> bool:
    if statement.get("Effect") != "Deny":
        return False
    if not principal_is_everyone(statement.get("Principal")):
        return False
    if not any(_is_s3_wildcard(action) for action in as_list(statement.get("Action"))):
        return False
    # The deny must hinge on aws:SecureTransport alone: a negated operator inverts it, and any
    # other condition (ANDed) narrows it, letting some plain-HTTP requests through.
    condition = statement.get("Condition") or {}
    blocks = list(condition.items())
    if len(blocks) != 1:
        return False
    operator, block = blocks[0]
    if str(operator).lower() not in SECURE_TRANSPORT_OPERATORS:
        return False
    if [str(key).lower() for key in block] != ["aws:securetransport"]:
        return False
    values = condition_values(statement, "aws:SecureTransport")
    return any(_is_false(value) for value in values)


@check(
    id="s3_bucket_secure_transport_required",
    title="S3 bucket policies deny requests that do not use TLS",
    severity="high",
    resource_types=["aws_s3_bucket"],
    references={"checkov": ["CKV_AWS_379"], "aws_config": ["s3-bucket-ssl-requests-only"]},
)
def s3_bucket_secure_transport_required(bucket: Resource) -> Result:
    """S3 accepts plain HTTP requests unless the bucket policy refuses them; ePHI must not cross
    the network unencrypted.

    The policy passes when one statement denies `s3:*` (or `*`) to every principal under the
    single condition `aws:SecureTransport = false` (operator Bool or StringEquals, optionally
    IfExists). A negated operator (which inverts the deny) or a second condition key (which
    narrows it) does not count. Its Resource list is not inspected.

    Remediation: add a deny statement to the bucket policy:

        statement {
          sid     = "DenyInsecureTransport"
          effect  = "Deny"
          actions = ["s3:*"]
          principals { type = "*"  identifiers = ["*"] }
          resources = [aws_s3_bucket.phi.arn, "${aws_s3_bucket.phi.arn}/*"]
          condition {
            test     = "Bool"
            variable = "aws:SecureTransport"
            values   = ["false"]
          }
        }
    """
    policy = bucket.get("policy")
    if policy is None:
        return Result.failed("no bucket policy: requests over plain HTTP are allowed")
    if is_unknown(policy):
        return Result.unknown(f"bucket policy is unknown: {policy.reason}")
    found, unknown_reasons = definite_matches(statements(policy), _denies_insecure_transport)
    if found:
        return Result.passed("bucket policy denies requests with aws:SecureTransport = false")
    if unknown_reasons:
        return Result.unknown(f"a policy statement is unknown: {unknown_reasons[0]}")
    return Result.failed("bucket policy has no Deny on aws:SecureTransport = false for s3:*")
