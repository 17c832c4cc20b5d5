"""S3: buckets with their folded settings, and the account-level public access block.

One global collection (ListBuckets lists every region's buckets); each bucket's settings are read
from a client in the bucket's own region (GetBucketLocation first), which avoids the 301
redirects a single-region client would get. "Not configured" answers (no policy, no encryption
configuration, no public access block) are facts, not errors: they become None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    call_optional,
    fan_out,
    parse_policy,
    partition_for,
    unknown_from,
)

# The bucket calls after GetBucketLocation: (data key, operation, "not configured" error codes).
_BUCKET_CALLS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("encryption", "GetBucketEncryption", ("ServerSideEncryptionConfigurationNotFoundError",)),
    ("versioning", "GetBucketVersioning", ()),
    ("public_access_block", "GetPublicAccessBlock", ("NoSuchPublicAccessBlockConfiguration",)),
    ("acl", "GetBucketAcl", ()),
    ("policy", "GetBucketPolicy", ("NoSuchBucketPolicy",)),
    ("logging", "GetBucketLogging", ()),
)
_PAB_FLAGS = {
    "BlockPublicAcls": "block_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "IgnorePublicAcls": "ignore_public_acls",
    "RestrictPublicBuckets": "restrict_public_buckets",
}


def bucket_region(location: Mapping[str, Any] | None) -> str | None:
    """GetBucketLocation's answer as a region: null means us-east-1, "EU" the old eu-west-1."""
    if location is None or unknown_from(location) is not None:
        return None
    constraint = location.get("LocationConstraint")
    if not constraint:
        return "us-east-1"
    return "eu-west-1" if constraint == "EU" else str(constraint)


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    s3 = clients("s3", region)
    listed = recorder.call(s3, "ListBuckets")

    def one_bucket(bucket: Mapping[str, Any]) -> dict[str, Any]:
        name = str(bucket["Name"])
        entry: dict[str, Any] = {"Name": name, "CreationDate": bucket.get("CreationDate")}
        entry["location"] = recorder.call(s3, "GetBucketLocation", Bucket=name)
        # Unknown location: ask through the home-region client anyway, S3 may still answer.
        local = clients("s3", bucket_region(entry["location"]) or region)
        for key, operation, absent in _BUCKET_CALLS:
            entry[key] = call_optional(recorder, local, operation, absent, Bucket=name)
        return entry

    data: dict[str, Any] = {"partition": s3.meta.partition}
    if unknown_from(listed) is not None:
        data["buckets"] = listed
    else:
        data["buckets"] = fan_out(recorder, one_bucket, listed.get("Buckets", []))
    control = clients("s3control", region)
    data["account_public_access_block"] = call_optional(
        recorder,
        control,
        "GetPublicAccessBlock",
        ("NoSuchPublicAccessBlockConfiguration",),
        AccountId=account,
    )
    return data


def _encryption(response: Any) -> Any:
    if response is None:
        return None
    marker = unknown_from(response)
    if marker is not None:
        return marker
    rules = response.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    if not rules:
        return None
    rule = rules[0]  # S3 applies the first rule, as the Terraform normalizer does
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    return {
        "sse_algorithm": default.get("SSEAlgorithm"),
        "kms_master_key_id": default.get("KMSMasterKeyID"),
        "bucket_key_enabled": rule.get("BucketKeyEnabled"),
    }


def _versioning(response: Any) -> Any:
    marker = unknown_from(response)
    if marker is not None:
        return marker
    status = (response or {}).get("Status")
    if status is None:  # never enabled: the same as no versioning block in Terraform
        return None
    mfa = response.get("MFADelete")
    return {"enabled": status == "Enabled", "mfa_delete": None if mfa is None else mfa == "Enabled"}


def _public_access_block(response: Any) -> Any:
    if response is None:
        return None
    marker = unknown_from(response)
    if marker is not None:
        return marker
    config = response.get("PublicAccessBlockConfiguration", {})
    return {ours: bool(config.get(theirs, False)) for theirs, ours in _PAB_FLAGS.items()}


def _acl_grants(response: Any) -> Any:
    marker = unknown_from(response)
    if marker is not None:
        return marker
    grants = []
    for grant in response.get("Grants", []):
        grantee = grant.get("Grantee", {})
        grants.append(
            {
                "grantee_uri": grantee.get("URI"),
                "grantee_type": grantee.get("Type"),
                "grantee_id": grantee.get("ID"),
                "permission": grant.get("Permission"),
            }
        )
    return grants


def _policy(response: Any) -> Any:
    if response is None:
        return None
    marker = unknown_from(response)
    if marker is not None:
        return marker
    return parse_policy(response.get("Policy"))


def _logging(response: Any) -> Any:
    marker = unknown_from(response)
    if marker is not None:
        return marker
    enabled = (response or {}).get("LoggingEnabled")
    if not enabled:
        return None
    return {
        "target_bucket": enabled.get("TargetBucket"),
        "target_prefix": enabled.get("TargetPrefix"),
    }


def _bucket(entry: Mapping[str, Any], account: str, partition: str) -> Resource:
    name = str(entry["Name"])
    acl_failed = unknown_from(entry.get("acl"))
    attributes: dict[str, Any] = {
        "bucket": name,
        # The API returns grants, never the canned ACL name: absent unless the grants are unknown.
        "acl": acl_failed,
        "acl_grants": _acl_grants(entry.get("acl")),
        "server_side_encryption": _encryption(entry.get("encryption")),
        "versioning": _versioning(entry.get("versioning")),
        "logging": _logging(entry.get("logging")),
        "public_access_block": _public_access_block(entry.get("public_access_block")),
        "policy": _policy(entry.get("policy")),
        "arn": f"arn:{partition}:s3:::{name}",
        "creation_date": entry.get("CreationDate"),
    }
    region = bucket_region(entry.get("location"))
    return Resource(
        type="aws_s3_bucket",
        id=attributes["arn"],
        source="aws",
        location=Location(account=account, region=region or "unknown"),
        attributes=attributes,
        raw=dict(entry),
    )


def _account_block(response: Any, account: str, partition: str) -> Resource:
    """The account block is emitted even when none is set: an account with no block at all has
    every flag off, and that must fail, not vanish from the report."""
    config = _public_access_block(response)
    if isinstance(config, Unknown):
        attributes: dict[str, Any] = dict.fromkeys(_PAB_FLAGS.values(), config)
    else:
        attributes = dict(config or {})
    attributes["account_id"] = account
    attributes["configured"] = config is not None
    return Resource(
        type="aws_s3_account_public_access_block",
        id=f"arn:{partition}:s3::{account}:account-public-access-block",
        source="aws",
        location=Location(account=account, region="global"),
        attributes=attributes,
        raw=response,
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    partition = str(raw.data.get("partition") or partition_for(raw.region))
    buckets = raw.data.get("buckets", [])
    if unknown_from(buckets) is None:
        for entry in buckets:
            yield _bucket(entry, raw.account, partition)
    if "account_public_access_block" in raw.data:
        yield _account_block(raw.data["account_public_access_block"], raw.account, partition)


COLLECTOR = Collector(
    name="s3",
    actions=(
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketVersioning",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketAcl",
        "s3:GetBucketPolicy",
        "s3:GetBucketLogging",
        "s3:GetAccountPublicAccessBlock",
    ),
    scope="global",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_s3_bucket", "aws_s3_account_public_access_block"),
)
