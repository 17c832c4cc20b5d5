"""AWS WAF (v2): web ACLs in front of the internet-facing entry points."""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check


def _public_entry_point(resource: Resource) -> bool:
    """Internet-facing ALBs and non-private API Gateway stages; unknown values are judged."""
    if resource.type == "aws_api_gateway_stage":
        types = resource.get("endpoint_types")
        return not (isinstance(types, list) and types == ["PRIVATE"])
    kind = resource.get("load_balancer_type")
    internal = resource.get("internal")
    if kind is not None and not (is_unknown(kind) or is_reference(kind)) and kind != "application":
        return False
    return not (internal is True or (isinstance(internal, str) and internal.lower() == "true"))


@check(
    id="wafv2_web_acl_public_endpoint_protected",
    title="Internet-facing ALBs and API Gateway stages are protected by a WAF web ACL",
    severity="medium",
    resource_types=["aws_lb", "aws_api_gateway_stage"],
    references={
        "checkov": ["CKV2_AWS_28", "CKV2_AWS_29"],
        "aws_config": ["alb-waf-enabled", "api-gw-associated-with-waf"],
    },
    applies_to=_public_entry_point,
)
def wafv2_web_acl_public_endpoint_protected(resource: Resource) -> Result:
    """A web ACL filters injection, known-bad inputs and request floods before they reach the
    application; an internet-facing entry point without one passes every request through.

    Judged: Application Load Balancers that are not `internal` and API Gateway stages of
    non-private APIs. A web ACL counts when an `aws_wafv2_web_acl_association` names the
    resource (live: GetWebACLForResource for ALBs, the stage's webAclArn). WAF Classic
    associations are not read.

    Remediation:

        resource "aws_wafv2_web_acl_association" "portal" {
          resource_arn = aws_lb.portal.arn
          web_acl_arn  = aws_wafv2_web_acl.edge.arn
        }
    """
    internal = resource.get("internal")
    if resource.type == "aws_lb" and (is_unknown(internal) or is_reference(internal)):
        return Result.unknown(f"whether the load balancer is internal is not known ({internal})")
    kind = resource.get("load_balancer_type")
    if is_unknown(kind) or is_reference(kind):
        return Result.unknown(f"load_balancer_type is not known ({kind})")
    web_acl = resource.get("web_acl_arn")
    if is_unknown(web_acl):
        return Result.unknown(f"the WAF association is not known ({web_acl})")
    if web_acl:
        named = f" ({web_acl})" if not is_reference(web_acl) else ""
        return Result.passed(f"a WAF web ACL is associated{named}")
    return Result.failed("no WAF web ACL is associated")
