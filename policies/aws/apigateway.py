"""API Gateway REST API stages and custom domain names: logging, client auth, TLS."""

from __future__ import annotations

from typing import Any

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check

# Custom domain security policies that refuse TLS 1.0/1.1: the classic TLS_1_2 and the
# enhanced SecurityPolicy_TLS13_* / SecurityPolicy_TLS12_* families.
TLS_1_2_POLICIES = ("TLS_1_2", "SecurityPolicy_TLS13", "SecurityPolicy_TLS12")


def _unresolved(value: Any) -> bool:
    return is_unknown(value) or is_reference(value)


@check(
    id="apigateway_stage_access_logging_enabled",
    title="API Gateway stages write access logs",
    severity="medium",
    resource_types=["aws_api_gateway_stage"],
    references={
        "checkov": ["CKV_AWS_76"],
        "aws_config": ["api-gw-execution-logging-enabled"],
    },
)
def apigateway_stage_access_logging_enabled(stage: Resource) -> Result:
    """Access logs record each API call (caller, method, path, status, latency); without them
    there is no record of who called the API that serves ePHI.

    Default: no `access_log_settings` block means access logging is off.

    Remediation:

        resource "aws_api_gateway_stage" "prod" {
          access_log_settings {
            destination_arn = aws_cloudwatch_log_group.api_access.arn
            format          = jsonencode({ requestId = "$context.requestId" })
          }
        }
    """
    settings = stage.get("access_log_settings")
    if _unresolved(settings):
        return Result.unknown(f"access_log_settings is not known ({settings})")
    if not settings:
        return Result.failed("no access_log_settings: access logging is off")
    destination = stage.get("access_log_settings.0.destination_arn")
    if destination is None:
        return Result.failed("access_log_settings has no destination_arn")
    return Result.passed("access logs are written")


@check(
    id="apigateway_stage_client_certificate_or_waf_enabled",
    title="API Gateway stages authenticate to backends or sit behind a WAF",
    severity="medium",
    resource_types=["aws_api_gateway_stage"],
    references={"aws_config": ["api-gw-ssl-enabled"]},
)
def apigateway_stage_client_certificate_or_waf_enabled(stage: Resource) -> Result:
    """A client certificate lets the backend verify that requests come from API Gateway and not
    from someone who found the backend's address; a WAF web ACL filters attacks before they
    reach the integration. A stage with neither relies on the backend alone.

    Passes with a `client_certificate_id` or a WAFv2 web ACL associated with the stage
    (`aws_wafv2_web_acl_association`, folded into the stage).

    Remediation:

        resource "aws_wafv2_web_acl_association" "prod" {
          resource_arn = aws_api_gateway_stage.prod.arn
          web_acl_arn  = aws_wafv2_web_acl.api.arn
        }
    """
    certificate = stage.get("client_certificate_id")
    if certificate and not is_unknown(certificate):
        return Result.passed("the stage presents a client certificate to its backends")
    web_acl = stage.get("web_acl_arn")
    if web_acl and not is_unknown(web_acl):
        return Result.passed("a WAF web ACL is associated with the stage")
    if is_unknown(certificate) or is_unknown(web_acl):
        return Result.unknown("the client certificate or the WAF association is not known")
    return Result.failed("neither a client certificate nor a WAF web ACL")


@check(
    id="apigateway_domain_name_tls_1_2_minimum",
    title="API Gateway custom domain names require TLS 1.2 or later",
    severity="medium",
    resource_types=["aws_api_gateway_domain_name"],
)
def apigateway_domain_name_tls_1_2_minimum(domain: Resource) -> Result:
    """The domain's security policy decides the oldest TLS version clients may use; TLS 1.0 and
    1.1 are not acceptable protection for ePHI in transit.

    Default: without `security_policy` API Gateway chooses the policy when the domain is
    created, so the Terraform result is unknown until it is set; the live API reports it.

    Remediation:

        resource "aws_api_gateway_domain_name" "api" {
          security_policy = "TLS_1_2"
        }
    """
    policy = domain.get("security_policy")
    if _unresolved(policy):
        return Result.unknown(f"security_policy is not known ({policy})")
    if policy is None:
        return Result.unknown("security_policy is not set: API Gateway chooses it at creation")
    if str(policy).startswith(TLS_1_2_POLICIES):
        return Result.passed(f"security_policy is {policy}")
    return Result.failed(f"security_policy {policy} accepts TLS versions before 1.2")
