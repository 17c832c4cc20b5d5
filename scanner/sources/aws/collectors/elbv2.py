"""Load balancers: ALB/NLB/GWLB with their listeners (elbv2), and classic ELBs (elb)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    fan_out,
    fan_out_by_key,
    partition_for,
    unknown_from,
)


def _flag(value: str) -> bool:
    return value.lower() == "true"


# DescribeLoadBalancerAttributes key -> (Terraform aws_lb argument, conversion).
_LB_ATTRIBUTES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "deletion_protection.enabled": ("enable_deletion_protection", _flag),
    "routing.http.drop_invalid_header_fields.enabled": ("drop_invalid_header_fields", _flag),
    "routing.http2.enabled": ("enable_http2", _flag),
    "routing.http.desync_mitigation_mode": ("desync_mitigation_mode", str),
    "idle_timeout.timeout_seconds": ("idle_timeout", int),
    "load_balancing.cross_zone.enabled": ("enable_cross_zone_load_balancing", _flag),
}
_ACCESS_LOG_ATTRIBUTES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "access_logs.s3.enabled": ("enabled", _flag),
    "access_logs.s3.bucket": ("bucket", str),
    "access_logs.s3.prefix": ("prefix", str),
}


def collect_v2(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    elbv2 = clients("elbv2", region)
    balancers = recorder.paginate(elbv2, "describe_load_balancers", "LoadBalancers")
    listed = balancers if isinstance(balancers, list) else []
    # Only internet-facing ALBs are asked for their WAF web ACL: the WAF check judges no other.
    public_albs = {b["LoadBalancerArn"] for b in listed if _public_alb(b)}

    def one_balancer(arn: str) -> tuple[Any, Any, Any]:
        web_acl = None
        if arn in public_albs:
            wafv2 = clients("wafv2", region)
            web_acl = recorder.call(wafv2, "get_web_acl_for_resource", ResourceArn=arn)
        return (
            recorder.paginate(elbv2, "describe_listeners", "Listeners", LoadBalancerArn=arn),
            recorder.call(elbv2, "describe_load_balancer_attributes", LoadBalancerArn=arn),
            web_acl,
        )

    arns = [b["LoadBalancerArn"] for b in listed]
    results = fan_out(recorder, one_balancer, arns)
    return {
        "load_balancers": balancers,
        "listeners": {arn: found for arn, (found, _, _) in zip(arns, results, strict=True)},
        "attributes": {arn: attrs for arn, (_, attrs, _) in zip(arns, results, strict=True)},
        "web_acls": {arn: acl for arn, (_, _, acl) in zip(arns, results, strict=True)},
    }


def _public_alb(balancer: Mapping[str, Any]) -> bool:
    return balancer.get("Type", "application") == "application" and (
        balancer.get("Scheme") != "internal"
    )


def web_acl_arn(balancer: Mapping[str, Any], web_acls: Any) -> Any:
    """`web_acl_arn` of an internet-facing ALB (folded from aws_wafv2_web_acl_association in
    Terraform): the ARN, None when none is associated, Unknown when the call failed or was not
    recorded. Other load balancers get no attribute (the WAF check does not judge them)."""
    if not _public_alb(balancer):
        return None
    arn = balancer["LoadBalancerArn"]
    if not isinstance(web_acls, Mapping) or arn not in web_acls:
        return Unknown("wafv2:GetWebACLForResource was not recorded for this load balancer")
    response = web_acls[arn]
    unknown = unknown_from(response)
    if unknown is not None:
        return unknown
    if not isinstance(response, Mapping):
        return Unknown("wafv2:GetWebACLForResource was not recorded for this load balancer")
    return (response.get("WebACL") or {}).get("ARN")


def _lb_attributes(balancer: Mapping[str, Any], response: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "name": balancer.get("LoadBalancerName"),
        "load_balancer_type": balancer.get("Type", "application"),
        "internal": balancer.get("Scheme") == "internal",
        "ip_address_type": balancer.get("IpAddressType"),
        "security_groups": list(balancer.get("SecurityGroups") or []),
        "subnets": [
            zone["SubnetId"]
            for zone in balancer.get("AvailabilityZones") or []
            if "SubnetId" in zone
        ],
        "vpc_id": balancer.get("VpcId"),
        "dns_name": balancer.get("DNSName"),
    }
    unknown = unknown_from(response)
    if unknown is None and not isinstance(response, Mapping):
        unknown = Unknown("elasticloadbalancing:DescribeLoadBalancerAttributes was not recorded")
    if unknown is not None:
        for name, _ in _LB_ATTRIBUTES.values():
            attributes[name] = unknown
        attributes["access_logs"] = unknown
        return attributes
    values = {item["Key"]: item.get("Value", "") for item in response.get("Attributes") or []}
    for key, (name, convert) in _LB_ATTRIBUTES.items():
        if key in values:
            attributes[name] = convert(values[key])
    access_logs = {
        name: convert(values[key])
        for key, (name, convert) in _ACCESS_LOG_ATTRIBUTES.items()
        if key in values
    }
    if access_logs:
        attributes["access_logs"] = [access_logs]
    return attributes


def _action(action: Mapping[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {"type": action.get("Type")}
    if action.get("Order") is not None:
        block["order"] = action["Order"]
    if action.get("TargetGroupArn"):
        block["target_group_arn"] = action["TargetGroupArn"]
    redirect = action.get("RedirectConfig")
    if isinstance(redirect, Mapping):
        # The API fills every field, with "#{protocol}"-style placeholders meaning "unchanged".
        block["redirect"] = [
            {
                "protocol": redirect.get("Protocol", "#{protocol}"),
                "port": redirect.get("Port", "#{port}"),
                "host": redirect.get("Host", "#{host}"),
                "path": redirect.get("Path", "/#{path}"),
                "query": redirect.get("Query", "#{query}"),
                "status_code": redirect.get("StatusCode"),
            }
        ]
    fixed = action.get("FixedResponseConfig")
    if isinstance(fixed, Mapping):
        block["fixed_response"] = [
            {
                "content_type": fixed.get("ContentType"),
                "message_body": fixed.get("MessageBody"),
                "status_code": fixed.get("StatusCode"),
            }
        ]
    forward = action.get("ForwardConfig")
    if isinstance(forward, Mapping):
        block["forward"] = [
            {
                "target_group": [
                    {"arn": group.get("TargetGroupArn"), "weight": group.get("Weight")}
                    for group in forward.get("TargetGroups") or []
                ]
            }
        ]
    return block


def _listener_attributes(listener: Mapping[str, Any]) -> dict[str, Any]:
    # Gateway Load Balancer listeners have no protocol or port; both stay absent.
    attributes: dict[str, Any] = {"load_balancer_arn": listener.get("LoadBalancerArn")}
    for name, key in (("protocol", "Protocol"), ("port", "Port"), ("ssl_policy", "SslPolicy")):
        if listener.get(key) is not None:
            attributes[name] = listener[key]
    certificates = listener.get("Certificates") or []
    if certificates:
        attributes["certificate_arn"] = certificates[0].get("CertificateArn")
    if listener.get("AlpnPolicy"):
        attributes["alpn_policy"] = listener["AlpnPolicy"][0]
    attributes["default_action"] = [_action(a) for a in listener.get("DefaultActions") or []]
    return attributes


def normalize_v2(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    balancers = raw.data.get("load_balancers")
    listeners = raw.data.get("listeners") or {}
    attributes = raw.data.get("attributes") or {}
    web_acls = raw.data.get("web_acls")
    for balancer in balancers if isinstance(balancers, list) else []:
        arn = balancer["LoadBalancerArn"]
        values = _lb_attributes(balancer, attributes.get(arn))
        if _public_alb(balancer):
            values["web_acl_arn"] = web_acl_arn(balancer, web_acls)
        yield Resource(
            type="aws_lb",
            id=arn,
            source="aws",
            location=location,
            attributes=values,
            raw={"load_balancer": dict(balancer), "attributes": attributes.get(arn)},
        )
        found = listeners.get(arn)
        # A failed DescribeListeners leaves no listener to mark unknown; the recorder reports it.
        for listener in found if isinstance(found, list) else []:
            yield Resource(
                type="aws_lb_listener",
                id=listener["ListenerArn"],
                source="aws",
                location=location,
                attributes=_listener_attributes(listener),
                raw=dict(listener),
            )


def collect_classic(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    elb = clients("elb", region)
    # Listeners come inline in DescribeLoadBalancers; access logging needs the attributes call.
    balancers = recorder.paginate(elb, "describe_load_balancers", "LoadBalancerDescriptions")
    names = [b["LoadBalancerName"] for b in balancers] if isinstance(balancers, list) else []
    attributes = fan_out_by_key(
        recorder,
        lambda name: recorder.call(elb, "describe_load_balancer_attributes", LoadBalancerName=name),
        names,
    )
    return {"load_balancers": balancers, "attributes": attributes}


def classic_access_logs(response: Any, recorded: bool) -> list[dict[str, Any]] | Unknown:
    """The `access_logs` block of `aws_elb` from DescribeLoadBalancerAttributes (classic)."""
    unknown = unknown_from(response)
    if unknown is None and (not recorded or not isinstance(response, Mapping)):
        unknown = Unknown("elasticloadbalancing:DescribeLoadBalancerAttributes was not recorded")
    if unknown is not None:
        return unknown
    log = (response.get("LoadBalancerAttributes") or {}).get("AccessLog") or {}
    block: dict[str, Any] = {"enabled": bool(log.get("Enabled", False))}
    for name, key in (("bucket", "S3BucketName"), ("bucket_prefix", "S3BucketPrefix")):
        if log.get(key):
            block[name] = log[key]
    if log.get("EmitInterval") is not None:
        block["interval"] = log["EmitInterval"]
    return [block]


def _classic_attributes(balancer: Mapping[str, Any]) -> dict[str, Any]:
    listeners = []
    for description in balancer.get("ListenerDescriptions") or []:
        listener = description.get("Listener") or {}
        entry = {
            "lb_protocol": listener.get("Protocol"),
            "lb_port": listener.get("LoadBalancerPort"),
            "instance_protocol": listener.get("InstanceProtocol", listener.get("Protocol")),
            "instance_port": listener.get("InstancePort"),
        }
        if listener.get("SSLCertificateId"):
            entry["ssl_certificate_id"] = listener["SSLCertificateId"]
        listeners.append(entry)
    return {
        "name": balancer.get("LoadBalancerName"),
        "internal": balancer.get("Scheme") == "internal",
        "listener": listeners,
        "security_groups": list(balancer.get("SecurityGroups") or []),
        "subnets": list(balancer.get("Subnets") or []),
        "availability_zones": list(balancer.get("AvailabilityZones") or []),
        "instances": [i.get("InstanceId") for i in balancer.get("Instances") or []],
        "dns_name": balancer.get("DNSName"),
    }


def normalize_classic(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    balancers = raw.data.get("load_balancers")
    attributes = raw.data.get("attributes")
    for balancer in balancers if isinstance(balancers, list) else []:
        name = balancer["LoadBalancerName"]
        values = _classic_attributes(balancer)
        if isinstance(attributes, Mapping):
            values["access_logs"] = classic_access_logs(attributes.get(name), name in attributes)
        else:  # a snapshot from before the attributes call: what it did not record is unknown
            values["access_logs"] = Unknown("DescribeLoadBalancerAttributes was not recorded")
        # The classic API returns no ARN; this is the documented format.
        arn = (
            f"arn:{partition_for(raw.region)}:elasticloadbalancing:{raw.region}:{raw.account}:"
            f"loadbalancer/{balancer['LoadBalancerName']}"
        )
        yield Resource(
            type="aws_elb",
            id=arn,
            source="aws",
            location=location,
            attributes=values,
            raw={"load_balancer": dict(balancer), "attributes": (attributes or {}).get(name)},
        )


COLLECTORS = [
    Collector(
        name="elbv2",
        actions=(
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "wafv2:GetWebACLForResource",
        ),
        scope="regional",
        collect=collect_v2,
        normalize=normalize_v2,
        resource_types=("aws_lb", "aws_lb_listener"),
    ),
    Collector(
        name="elb",
        actions=(
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
        ),
        scope="regional",
        collect=collect_classic,
        normalize=normalize_classic,
        resource_types=("aws_elb",),
    ),
]
