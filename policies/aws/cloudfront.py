"""CloudFront distributions: HTTPS to viewers and origins, TLS minimum, access logs."""

from __future__ import annotations

from typing import Any

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check

DISTRIBUTION = ["aws_cloudfront_distribution"]
HTTPS_VIEWER_POLICIES = ("redirect-to-https", "https-only")


def _unresolved(value: Any) -> bool:
    return is_unknown(value) or is_reference(value)


def _behaviors(distribution: Resource) -> list[tuple[str, Any]] | None:
    """(label, viewer_protocol_policy) of every cache behaviour; None when the list is unknown."""
    default = distribution.get("default_cache_behavior")
    ordered = distribution.get("ordered_cache_behavior")
    if _unresolved(default) or _unresolved(ordered):
        return None
    found = []
    for index, _ in enumerate(default or []):
        found.append(
            ("default", distribution.get(f"default_cache_behavior.{index}.viewer_protocol_policy"))
        )
    for index, _ in enumerate(ordered or []):
        pattern = distribution.get(f"ordered_cache_behavior.{index}.path_pattern")
        label = pattern if isinstance(pattern, str) and not is_reference(pattern) else str(index)
        found.append(
            (label, distribution.get(f"ordered_cache_behavior.{index}.viewer_protocol_policy"))
        )
    return found


@check(
    id="cloudfront_distribution_viewer_https_required",
    title="CloudFront distributions serve viewers over HTTPS only",
    severity="high",
    resource_types=DISTRIBUTION,
    references={
        "checkov": ["CKV_AWS_34"],
        "aws_config": ["cloudfront-viewer-policy-https"],
    },
)
def cloudfront_distribution_viewer_https_required(distribution: Resource) -> Result:
    """A cache behaviour that allows `allow-all` serves its paths over plain HTTP, where
    anything in the request or response (session cookies, ePHI) can be read on the way.

    Every cache behaviour (the default one and each ordered one) must use `redirect-to-https`
    or `https-only`.

    Remediation:

        resource "aws_cloudfront_distribution" "portal" {
          default_cache_behavior {
            viewer_protocol_policy = "redirect-to-https"
          }
        }
    """
    behaviors = _behaviors(distribution)
    if behaviors is None:
        return Result.unknown("the cache behaviours are not known")
    if not behaviors:
        return Result.unknown("no cache behaviour found")
    insecure = []
    unresolved = []
    for label, policy in behaviors:
        if _unresolved(policy):
            unresolved.append(label)
        elif policy not in HTTPS_VIEWER_POLICIES:
            insecure.append(f"{label} ({policy})")
    if insecure:
        return Result.failed(f"cache behaviours allow plain HTTP: {', '.join(insecure)}")
    if unresolved:
        return Result.unknown(f"viewer_protocol_policy not known for: {', '.join(unresolved)}")
    return Result.passed(f"all {len(behaviors)} cache behaviour(s) require HTTPS")


@check(
    id="cloudfront_distribution_tls_1_2_minimum",
    title="CloudFront distributions accept TLS 1.2 or later from viewers",
    severity="medium",
    resource_types=DISTRIBUTION,
    references={"checkov": ["CKV_AWS_174"]},
)
def cloudfront_distribution_tls_1_2_minimum(distribution: Resource) -> Result:
    """TLS 1.0 and 1.1 have known weaknesses and are not acceptable protection for ePHI in
    transit; the viewer security policy decides the oldest version CloudFront accepts.

    Defaults: `minimum_protocol_version` is TLSv1. With the default `*.cloudfront.net`
    certificate (`cloudfront_default_certificate = true`) CloudFront always accepts TLSv1, so
    that fails too: use your own certificate.

    Remediation:

        resource "aws_cloudfront_distribution" "portal" {
          viewer_certificate {
            acm_certificate_arn      = aws_acm_certificate.portal.arn
            ssl_support_method       = "sni-only"
            minimum_protocol_version = "TLSv1.2_2021"
          }
        }
    """
    if distribution.get_bool("viewer_certificate.0.cloudfront_default_certificate", False):
        return Result.failed("the default CloudFront certificate accepts TLSv1")
    version = distribution.get("viewer_certificate.0.minimum_protocol_version")
    if _unresolved(version):
        return Result.unknown(f"minimum_protocol_version is not known ({version})")
    if version is None:
        return Result.failed("minimum_protocol_version is not set (default TLSv1)")
    if str(version).startswith(("TLSv1.2", "TLSv1.3")):
        return Result.passed(f"minimum_protocol_version is {version}")
    return Result.failed(f"minimum_protocol_version {version} accepts TLS before 1.2")


@check(
    id="cloudfront_distribution_access_logging_enabled",
    title="CloudFront distributions write access logs",
    severity="medium",
    resource_types=DISTRIBUTION,
    references={
        "checkov": ["CKV_AWS_86"],
        "aws_config": ["cloudfront-accesslogs-enabled"],
    },
)
def cloudfront_distribution_access_logging_enabled(distribution: Resource) -> Result:
    """Access logs record every viewer request (client, path, status); without them there is no
    record of who fetched what through the distribution.

    Default: no `logging_config` block means standard logging is off. Logging configured only
    through CloudWatch log delivery (standard logging v2) is not read and is reported as off.

    Remediation:

        resource "aws_cloudfront_distribution" "portal" {
          logging_config {
            bucket = aws_s3_bucket.cdn_logs.bucket_domain_name
          }
        }
    """
    logging = distribution.get("logging_config")
    if _unresolved(logging):
        return Result.unknown(f"logging_config is not known ({logging})")
    if not logging:
        return Result.failed("no logging_config: access logging is off")
    bucket = distribution.get("logging_config.0.bucket")
    if _unresolved(bucket):
        return Result.passed("access logs are written (bucket computed at apply)")
    return Result.passed(f"access logs are written to {bucket}")


@check(
    id="cloudfront_distribution_origin_https_only",
    title="CloudFront distributions reach custom origins over HTTPS only",
    severity="high",
    resource_types=DISTRIBUTION,
    references={"aws_config": ["cloudfront-traffic-to-origin-encrypted"]},
)
def cloudfront_distribution_origin_https_only(distribution: Resource) -> Result:
    """Between CloudFront and a custom origin (an ALB, an API, a server) `http-only` sends every
    request and response in plain text across the internet; `match-viewer` does so whenever a
    behaviour lets viewers use HTTP. S3 origins are reached over HTTPS by CloudFront itself.

    Passes when every custom origin uses `https-only`, or `match-viewer` while every cache
    behaviour requires HTTPS; a distribution without custom origins passes.

    Remediation:

        resource "aws_cloudfront_distribution" "portal" {
          origin {
            custom_origin_config {
              origin_protocol_policy = "https-only"
              origin_ssl_protocols   = ["TLSv1.2"]
            }
          }
        }
    """
    origins = distribution.get("origin")
    if _unresolved(origins):
        return Result.unknown(f"the origins are not known ({origins})")
    behaviors = _behaviors(distribution)
    viewer_policies = [policy for _, policy in behaviors or []]
    viewers_https = behaviors is not None and all(
        not _unresolved(policy) and policy in HTTPS_VIEWER_POLICIES for policy in viewer_policies
    )
    viewers_unknown = behaviors is None or any(_unresolved(p) for p in viewer_policies)
    insecure, unresolved, custom = [], [], 0
    for index, _ in enumerate(origins or []):
        config = distribution.get(f"origin.{index}.custom_origin_config")
        if _unresolved(config):
            unresolved.append(str(index))
            continue
        if not config:
            continue
        custom += 1
        name = distribution.get(f"origin.{index}.origin_id")
        label = name if isinstance(name, str) and not is_reference(name) else str(index)
        policy = distribution.get(f"origin.{index}.custom_origin_config.0.origin_protocol_policy")
        if _unresolved(policy) or (policy == "match-viewer" and viewers_unknown):
            unresolved.append(label)
        elif policy == "https-only" or (policy == "match-viewer" and viewers_https):
            continue
        else:
            insecure.append(f"{label} ({policy})")
    if insecure:
        return Result.failed(f"custom origins reached over HTTP: {', '.join(insecure)}")
    if unresolved:
        return Result.unknown(f"origin protocol not known for: {', '.join(unresolved)}")
    if not custom:
        return Result.passed("no custom origin (S3 origins are reached over HTTPS)")
    return Result.passed(f"all {custom} custom origin(s) are reached over HTTPS")
