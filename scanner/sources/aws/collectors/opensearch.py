"""OpenSearch Service domains (OpenSearch and legacy Elasticsearch engines).

ListDomainNames names every domain of the region with its engine; DescribeDomains describes up to
five per call, so a region costs 1 + ceil(domains / 5) requests. Domains on an Elasticsearch
engine become `aws_elasticsearch_domain`, the others `aws_opensearch_domain`: the Terraform type
that manages each. A batch whose DescribeDomains failed still yields its domains, with every
setting Unknown, so they are never silently absent.
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
    fan_out,
    partition_for,
    unknown_from,
)

BATCH = 5  # DescribeDomains accepts at most five domain names
SETTINGS = (
    "encrypt_at_rest",
    "node_to_node_encryption",
    "domain_endpoint_options",
    "vpc_options",
    "log_publishing_options",
)


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    opensearch = clients("opensearch", region)
    listed = recorder.call(opensearch, "list_domain_names")
    names = (
        [d["DomainName"] for d in listed.get("DomainNames") or []]
        if not unknown_from(listed)
        else []
    )
    batches = [names[i : i + BATCH] for i in range(0, len(names), BATCH)]
    described = fan_out(
        recorder,
        lambda batch: recorder.call(opensearch, "describe_domains", DomainNames=batch),
        batches,
    )
    return {
        "domain_names": listed,
        "described": [{"names": b, "response": r} for b, r in zip(batches, described, strict=True)],
    }


def _block(value: Any, fields: Mapping[str, str]) -> list[dict[str, Any]]:
    if not isinstance(value, Mapping):
        return []
    return [{name: value[key] for name, key in fields.items() if value.get(key) is not None}]


def _attributes(status: Mapping[str, Any]) -> dict[str, Any]:
    version = str(status.get("EngineVersion") or "")
    attributes: dict[str, Any] = {"domain_name": status.get("DomainName")}
    if version.startswith("Elasticsearch_"):
        attributes["elasticsearch_version"] = version.split("_", 1)[1]
    elif version:
        attributes["engine_version"] = version
    attributes["encrypt_at_rest"] = _block(
        status.get("EncryptionAtRestOptions") or {"Enabled": False},
        {"enabled": "Enabled", "kms_key_id": "KmsKeyId"},
    )
    attributes["node_to_node_encryption"] = _block(
        status.get("NodeToNodeEncryptionOptions") or {"Enabled": False}, {"enabled": "Enabled"}
    )
    attributes["domain_endpoint_options"] = _block(
        status.get("DomainEndpointOptions") or {"EnforceHTTPS": False},
        {"enforce_https": "EnforceHTTPS", "tls_security_policy": "TLSSecurityPolicy"},
    )
    vpc = status.get("VPCOptions")
    # A domain outside a VPC has no VPCOptions (or one without subnets): a public endpoint.
    attributes["vpc_options"] = (
        _block(vpc, {"subnet_ids": "SubnetIds", "security_group_ids": "SecurityGroupIds"})
        if isinstance(vpc, Mapping) and vpc.get("SubnetIds")
        else []
    )
    attributes["log_publishing_options"] = [
        {
            "log_type": log_type,
            "enabled": bool(option.get("Enabled", False)),
            "cloudwatch_log_group_arn": option.get("CloudWatchLogsLogGroupArn"),
        }
        for log_type, option in sorted((status.get("LogPublishingOptions") or {}).items())
        if isinstance(option, Mapping)
    ]
    return attributes


def _arn(name: str, location: Location) -> str:
    return (
        f"arn:{partition_for(location.region or '')}:es:{location.region}:{location.account}:"
        f"domain/{name}"
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    listed = raw.data.get("domain_names")
    engines = {
        d.get("DomainName"): d.get("EngineType")
        for d in (listed.get("DomainNames") or [] if isinstance(listed, Mapping) else [])
    }
    for entry in raw.data.get("described") or []:
        response = entry.get("response")
        unknown = unknown_from(response)
        if unknown is None and not isinstance(response, Mapping):
            unknown = Unknown("es:DescribeDomains was not recorded for these domains")
        if unknown is not None:
            for name in entry.get("names") or []:
                attributes: dict[str, Any] = {"domain_name": name}
                attributes.update({setting: unknown for setting in SETTINGS})
                engine = engines.get(name)
                yield Resource(
                    type="aws_elasticsearch_domain"
                    if engine == "Elasticsearch"
                    else "aws_opensearch_domain",
                    id=_arn(name, location),
                    source="aws",
                    location=location,
                    attributes=attributes,
                    raw={"domain_name": name, "describe_domains": response},
                )
            continue
        for status in response.get("DomainStatusList") or []:
            attributes = _attributes(status)
            yield Resource(
                type="aws_elasticsearch_domain"
                if "elasticsearch_version" in attributes
                else "aws_opensearch_domain",
                id=str(status.get("ARN") or _arn(str(status.get("DomainName")), location)),
                source="aws",
                location=location,
                attributes=attributes,
                raw=dict(status),
            )


COLLECTOR = Collector(
    name="opensearch",
    actions=("es:ListDomainNames", "es:DescribeDomains"),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_opensearch_domain", "aws_elasticsearch_domain"),
)
