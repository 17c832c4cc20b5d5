"""S3 public exposure: public access block (bucket and account), public ACLs, public policies."""

from __future__ import annotations

from typing import Any

from policies.aws.definite_matches import definite_matches
from policies.aws.iam_policy_documents import allows_everyone, statements
from scanner.core.model import Resource, Result, UnknownValueError, is_reference, is_unknown
from scanner.core.registry import check

PUBLIC_ACCESS_BLOCK_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)
PUBLIC_CANNED_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEE_URIS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _missing_flags(resource: Resource, prefix: str = "") -> list[str]:
    """Flags not enabled; an absent flag is false (the provider default)."""
    return [
        flag
        for flag in PUBLIC_ACCESS_BLOCK_FLAGS
        if not resource.get_bool(f"{prefix}{flag}", False)
    ]


@check(
    id="s3_bucket_public_access_blocked",
    title="S3 buckets have all four public access block settings enabled",
    severity="high",
    resource_types=["aws_s3_bucket"],
    references={
        "checkov": ["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
        "aws_config": ["s3-bucket-level-public-access-prohibited"],
    },
)
def s3_bucket_public_access_blocked(bucket: Resource) -> Result:
    """The public access block overrides any ACL or policy that would make the bucket public, so
    one later mistake cannot expose ePHI to the internet.

    Remediation: attach a public access block with every flag set (absent flags are false):

        resource "aws_s3_bucket_public_access_block" "phi" {
          bucket                  = aws_s3_bucket.phi.id
          block_public_acls       = true
          block_public_policy     = true
          ignore_public_acls      = true
          restrict_public_buckets = true
        }
    """
    settings = bucket.get("public_access_block")
    if settings is None:
        return Result.failed("no public access block is attached to the bucket")
    missing = _missing_flags(bucket, "public_access_block.")
    if missing:
        return Result.failed(f"public access block leaves {', '.join(missing)} disabled")
    return Result.passed("all four public access block settings are enabled")


@check(
    id="s3_account_public_access_blocked",
    title="The account-level S3 public access block enables all four settings",
    severity="high",
    resource_types=["aws_s3_account_public_access_block"],
    references={"aws_config": ["s3-account-level-public-access-blocks-periodic"]},
)
def s3_account_public_access_blocked(account_block: Resource) -> Result:
    """The account-level block applies to every bucket, including ones created outside this
    configuration, so no bucket in the account can be made public by ACL or policy.

    Remediation: set every flag (absent flags are false):

        resource "aws_s3_account_public_access_block" "this" {
          block_public_acls       = true
          block_public_policy     = true
          ignore_public_acls      = true
          restrict_public_buckets = true
        }
    """
    missing = _missing_flags(account_block)
    if missing:
        return Result.failed(f"account public access block leaves {', '.join(missing)} disabled")
    return Result.passed("all four account-level public access block settings are enabled")


def _grant_is_public(grant: Any) -> bool:
    uri = grant.get("grantee_uri")
    if is_reference(uri):  # known only at apply: it may be AllUsers
        raise UnknownValueError(f"grantee URI is the computed value {uri}")
    return bool(uri in PUBLIC_GRANTEE_URIS)


@check(
    id="s3_bucket_acl_not_public",
    title="S3 bucket ACLs do not grant access to everyone or to any AWS user",
    severity="critical",
    resource_types=["aws_s3_bucket"],
    references={
        "checkov": ["CKV_AWS_20", "CKV_AWS_57", "CKV2_AWS_43"],
        "aws_config": ["s3-bucket-public-read-prohibited", "s3-bucket-public-write-prohibited"],
    },
)
def s3_bucket_acl_not_public(bucket: Resource) -> Result:
    """A canned ACL such as `public-read`, or a grant to the AllUsers or AuthenticatedUsers group
    (any AWS account holder), exposes every object in the bucket.

    A public ACL neutralised by `ignore_public_acls = true` in the bucket's public access block
    passes, with a message saying so.

    Remediation: use the `private` ACL (or disable ACLs with object ownership
    `BucketOwnerEnforced`) and remove grants to the global groups:

        resource "aws_s3_bucket_ownership_controls" "phi" {
          bucket = aws_s3_bucket.phi.id
          rule { object_ownership = "BucketOwnerEnforced" }
        }
    """
    findings: list[str] = []
    acl = bucket.get("acl")
    if is_unknown(acl):
        return Result.unknown(f"acl is unknown: {acl.reason}")
    if acl in PUBLIC_CANNED_ACLS:
        findings.append(f"canned ACL is {acl}")
    public_grants, unknown_reasons = definite_matches(
        bucket.get("acl_grants") or [], _grant_is_public
    )
    # A canned ACL known only at apply may be public-read (ignore_public_acls neutralises it).
    if is_reference(acl) and not bucket.get_bool("public_access_block.ignore_public_acls", False):
        unknown_reasons.insert(0, f"the canned ACL is the computed value {acl}")
    findings.extend(
        f"ACL grants {grant.get('permission')} to {grant.get('grantee_uri').rsplit('/', 1)[-1]}"
        for grant in public_grants
    )
    if findings:
        if bucket.get_bool("public_access_block.ignore_public_acls", False):
            return Result.passed(f"{'; '.join(findings)}, but ignore_public_acls neutralises it")
        return Result.failed("; ".join(findings))
    if unknown_reasons:
        return Result.unknown(f"an ACL grant is unknown: {unknown_reasons[0]}")
    return Result.passed(f"ACL is {acl or 'private (default)'} with no public grants")


@check(
    id="s3_bucket_policy_not_public",
    title="S3 bucket policies do not allow access to any principal",
    severity="critical",
    resource_types=["aws_s3_bucket"],
    references={
        "checkov": ["CKV_AWS_70"],
        "aws_config": ["s3-bucket-public-read-prohibited", "s3-bucket-public-write-prohibited"],
    },
)
def s3_bucket_policy_not_public(bucket: Resource) -> Result:
    """An Allow statement whose principal is `*` (or `{"AWS": "*"}`, or a NotPrincipal) opens the
    bucket to anyone, unless a condition pins the caller (aws:SourceVpce, aws:PrincipalOrgID,
    aws:SourceArn, aws:SourceIp, ...) with fixed values under a positive operator: a negated
    operator (`StringNotEquals`), `...IfExists`, `ForAllValues:`, `Null`, a wildcard value or
    aws:SourceIp `0.0.0.0/0` does not restrict. A public policy blocked by
    `restrict_public_buckets = true` passes, with a message saying so.

    Remediation: name the principals that need access, or add a restricting condition:

        statement {
          effect  = "Allow"
          actions = ["s3:GetObject"]
          principals { type = "AWS"  identifiers = [aws_iam_role.reader.arn] }
          resources = ["${aws_s3_bucket.phi.arn}/*"]
        }
    """
    policy = bucket.get("policy")
    if policy is None:
        return Result.passed("no bucket policy")
    if is_unknown(policy):
        return Result.unknown(f"bucket policy is unknown: {policy.reason}")
    public, unknown_reasons = definite_matches(statements(policy), allows_everyone)
    if public:
        sids = ", ".join(str(s.get("Sid") or "(no Sid)") for s in public)
        found = f"policy statement(s) {sids} allow any principal without a restricting condition"
        if bucket.get_bool("public_access_block.restrict_public_buckets", False):
            return Result.passed(f"{found}, but restrict_public_buckets blocks public access")
        return Result.failed(found)
    if unknown_reasons:
        return Result.unknown(f"a policy statement is unknown: {unknown_reasons[0]}")
    return Result.passed("no policy statement allows any principal")
