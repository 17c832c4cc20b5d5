"""CloudFront distributions (global): viewer and origin protocols, TLS minimum, access logs.

ListDistributions pages through summaries (100 per page); the summary lacks the logging
settings, so each distribution's full configuration comes from one GetDistributionConfig, and
every attribute is built from that one response.
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
    fan_out_by_key,
    unknown_from,
)

MAX_PAGES = 1000  # 100 distributions a page: far beyond any account's quota


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    cloudfront = clients("cloudfront", region)
    summaries: list[Any] = []
    listing: Any = summaries
    params: dict[str, Any] = {}
    for _ in range(MAX_PAGES):
        page = recorder.call(cloudfront, "list_distributions", **params)
        if unknown_from(page) is not None:
            listing = page  # a failed page discards the others: never a partial list
            break
        body = page.get("DistributionList") or {}
        summaries.extend(body.get("Items") or [])
        if not body.get("IsTruncated") or not body.get("NextMarker"):
            break
        params = {"Marker": body["NextMarker"]}
    ids = [s["Id"] for s in summaries] if isinstance(listing, list) else []
    configs = fan_out_by_key(
        recorder,
        lambda dist_id: recorder.call(cloudfront, "get_distribution_config", Id=dist_id),
        ids,
    )
    return {"distributions": listing, "configs": configs}


def _items(container: Any) -> list[Any]:
    return list((container or {}).get("Items") or []) if isinstance(container, Mapping) else []


def _behavior(behavior: Mapping[str, Any]) -> dict[str, Any]:
    block = {"viewer_protocol_policy": behavior.get("ViewerProtocolPolicy")}
    if behavior.get("PathPattern") is not None:
        block["path_pattern"] = behavior["PathPattern"]
    return block


def _origin(origin: Mapping[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {"origin_id": origin.get("Id"), "domain_name": origin.get("DomainName")}
    custom = origin.get("CustomOriginConfig")
    if isinstance(custom, Mapping):
        block["custom_origin_config"] = [
            {
                "origin_protocol_policy": custom.get("OriginProtocolPolicy"),
                "origin_ssl_protocols": _items(custom.get("OriginSslProtocols")),
            }
        ]
    if isinstance(origin.get("S3OriginConfig"), Mapping):
        block["s3_origin_config"] = [{}]
    return block


def distribution_attributes(config: Mapping[str, Any]) -> dict[str, Any]:
    """The `aws_cloudfront_distribution` arguments from a DistributionConfig."""
    certificate = config.get("ViewerCertificate") or {}
    viewer: dict[str, Any] = {
        "cloudfront_default_certificate": bool(certificate.get("CloudFrontDefaultCertificate")),
    }
    for name, key in (
        ("minimum_protocol_version", "MinimumProtocolVersion"),
        ("acm_certificate_arn", "ACMCertificateArn"),
        ("ssl_support_method", "SSLSupportMethod"),
    ):
        if certificate.get(key):
            viewer[name] = certificate[key]
    logging = config.get("Logging") or {}
    attributes: dict[str, Any] = {
        "enabled": bool(config.get("Enabled", True)),
        "aliases": _items(config.get("Aliases")),
        "default_cache_behavior": [_behavior(config.get("DefaultCacheBehavior") or {})],
        "ordered_cache_behavior": [_behavior(b) for b in _items(config.get("CacheBehaviors"))],
        "origin": [_origin(o) for o in _items(config.get("Origins"))],
        "viewer_certificate": [viewer],
        # Terraform has no logging_config block when standard logging is off.
        "logging_config": [
            {"bucket": logging.get("Bucket"), "prefix": logging.get("Prefix") or None}
        ]
        if logging.get("Enabled") and logging.get("Bucket")
        else [],
    }
    if config.get("WebACLId"):
        attributes["web_acl_id"] = config["WebACLId"]
    return attributes


SETTINGS = (
    "default_cache_behavior",
    "ordered_cache_behavior",
    "origin",
    "viewer_certificate",
    "logging_config",
)


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region="global")
    listed = raw.data.get("distributions")
    configs = raw.data.get("configs") or {}
    for summary in listed if isinstance(listed, list) else []:
        response = configs.get(summary["Id"])
        unknown = unknown_from(response)
        if unknown is None and not isinstance(response, Mapping):
            unknown = Unknown("cloudfront:GetDistributionConfig was not recorded")
        if unknown is not None or not isinstance(response, Mapping):
            attributes: dict[str, Any] = {setting: unknown for setting in SETTINGS}
        else:
            attributes = distribution_attributes(response.get("DistributionConfig") or {})
        yield Resource(
            type="aws_cloudfront_distribution",
            id=summary["ARN"],
            source="aws",
            location=location,
            attributes=attributes,
            raw={"summary": dict(summary), "config": response},
        )


COLLECTOR = Collector(
    name="cloudfront",
    actions=("cloudfront:ListDistributions", "cloudfront:GetDistributionConfig"),
    scope="global",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_cloudfront_distribution",),
)
