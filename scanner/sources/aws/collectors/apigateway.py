"""API Gateway REST APIs (v1): stages and custom domain names.

GetRestApis lists the APIs (with their endpoint types); each API's stages come from one
GetStages, which carries access logging, the client certificate and the WAF web ACL; custom
domain names (their TLS security policy) are one GetDomainNames per region. A failed GetStages
leaves that API's stages unseen: the error is reported, and the run exits 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    fan_out_by_key,
    partition_for,
    unknown_from,
)


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    apigateway = clients("apigateway", region)
    apis = recorder.paginate(apigateway, "get_rest_apis", "items")
    ids = [a["id"] for a in apis] if isinstance(apis, list) else []
    stages = fan_out_by_key(
        recorder, lambda api_id: recorder.call(apigateway, "get_stages", restApiId=api_id), ids
    )
    return {
        "rest_apis": apis,
        "stages": stages,
        "domain_names": recorder.paginate(apigateway, "get_domain_names", "items"),
    }


def _stage(api: Mapping[str, Any], stage: Mapping[str, Any], location: Location) -> Resource:
    settings = stage.get("accessLogSettings")
    attributes: dict[str, Any] = {
        "stage_name": stage.get("stageName"),
        "rest_api_id": api["id"],
        "deployment_id": stage.get("deploymentId"),
        # Terraform has no access_log_settings block when access logging is off.
        "access_log_settings": [
            {"destination_arn": settings.get("destinationArn"), "format": settings.get("format")}
        ]
        if isinstance(settings, Mapping) and settings.get("destinationArn")
        else [],
        "client_certificate_id": stage.get("clientCertificateId"),
        "web_acl_arn": stage.get("webAclArn"),
        "xray_tracing_enabled": bool(stage.get("tracingEnabled", False)),
        # Not a Terraform argument of the stage: the API's, so that private APIs can be told apart.
        "endpoint_types": list((api.get("endpointConfiguration") or {}).get("types") or []),
    }
    region = location.region or ""
    return Resource(
        type="aws_api_gateway_stage",
        id=(
            f"arn:{partition_for(region)}:apigateway:{region}::/restapis/{api['id']}"
            f"/stages/{stage.get('stageName')}"
        ),
        source="aws",
        location=location,
        attributes=attributes,
        raw={"rest_api": dict(api), "stage": dict(stage)},
    )


def _domain(domain: Mapping[str, Any], location: Location) -> Resource:
    region = location.region or ""
    attributes: dict[str, Any] = {"domain_name": domain.get("domainName")}
    if domain.get("securityPolicy"):
        attributes["security_policy"] = domain["securityPolicy"]
    types = (domain.get("endpointConfiguration") or {}).get("types")
    if types:
        attributes["endpoint_configuration"] = [{"types": list(types)}]
    return Resource(
        type="aws_api_gateway_domain_name",
        id=f"arn:{partition_for(region)}:apigateway:{region}::/domainnames/{domain['domainName']}",
        source="aws",
        location=location,
        attributes=attributes,
        raw=dict(domain),
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    apis = raw.data.get("rest_apis")
    stages = raw.data.get("stages") or {}
    for api in apis if isinstance(apis, list) else []:
        response = stages.get(api["id"])
        if not isinstance(response, Mapping) or unknown_from(response) is not None:
            continue  # the failed GetStages is a collection error: its stages are not seen
        for stage in response.get("item") or []:
            yield _stage(api, stage, location)
    domains = raw.data.get("domain_names")
    for domain in domains if isinstance(domains, list) else []:
        yield _domain(domain, location)


COLLECTOR = Collector(
    name="apigateway",
    actions=("apigateway:GET",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_api_gateway_stage", "aws_api_gateway_domain_name"),
)
