"""OpenSearch Service domains (`aws_opensearch_domain` and the legacy `aws_elasticsearch_domain`,
which share the blocks read here): encryption, HTTPS, network placement and audit logs.
"""

from __future__ import annotations

from typing import Any

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check

DOMAIN_TYPES = ["aws_opensearch_domain", "aws_elasticsearch_domain"]
# TLS security policies that refuse TLS 1.0 and 1.1 (Policy-Min-TLS-1-2-2019-07, -PFS-2023-10).
TLS_1_2_POLICY_PREFIX = "Policy-Min-TLS-1-2"


def _unresolved(value: Any) -> bool:
    return is_unknown(value) or is_reference(value)


@check(
    id="opensearch_domain_encrypted_at_rest",
    title="OpenSearch domains encrypt data at rest",
    severity="high",
    resource_types=DOMAIN_TYPES,
    references={
        "checkov": ["CKV_AWS_5"],
        "aws_config": ["opensearch-encrypted-at-rest", "elasticsearch-encrypted-at-rest"],
    },
)
def opensearch_domain_encrypted_at_rest(domain: Resource) -> Result:
    """Indices, logs, swap files and automated snapshots of a domain without encryption at rest
    sit on disk in the clear; ePHI indexed for search is as sensitive as the database it came from.

    Default: without `encrypt_at_rest { enabled = true }` the domain is not encrypted.

    Remediation:

        resource "aws_opensearch_domain" "phi" {
          encrypt_at_rest {
            enabled    = true
            kms_key_id = aws_kms_key.search.arn
          }
        }
    """
    if domain.get_bool("encrypt_at_rest.0.enabled", False):
        return Result.passed("encryption at rest is enabled")
    return Result.failed("encryption at rest is not enabled")


@check(
    id="opensearch_domain_node_to_node_encrypted",
    title="OpenSearch domains encrypt traffic between nodes",
    severity="high",
    resource_types=DOMAIN_TYPES,
    references={
        "checkov": ["CKV_AWS_6"],
        "aws_config": [
            "opensearch-node-to-node-encryption-check",
            "elasticsearch-node-to-node-encryption-check",
        ],
    },
)
def opensearch_domain_node_to_node_encrypted(domain: Resource) -> Result:
    """Without node-to-node encryption, documents travel between the domain's nodes (shard
    replication, queries) over plain TCP inside the VPC.

    Default: without `node_to_node_encryption { enabled = true }` it is off.

    Remediation:

        resource "aws_opensearch_domain" "phi" {
          node_to_node_encryption { enabled = true }
        }
    """
    if domain.get_bool("node_to_node_encryption.0.enabled", False):
        return Result.passed("node-to-node encryption is enabled")
    return Result.failed("node-to-node encryption is not enabled")


@check(
    id="opensearch_domain_https_tls_1_2_enforced",
    title="OpenSearch domains require HTTPS with TLS 1.2 or later",
    severity="high",
    resource_types=DOMAIN_TYPES,
    references={
        "checkov": ["CKV_AWS_83", "CKV_AWS_228"],
        "aws_config": ["opensearch-https-required", "elasticsearch-https-required"],
    },
)
def opensearch_domain_https_tls_1_2_enforced(domain: Resource) -> Result:
    """A domain that accepts plain HTTP, or TLS 1.0/1.1, lets queries and their results (ePHI)
    cross the network readable or weakly protected.

    Defaults: without a `domain_endpoint_options` block HTTPS is not enforced; inside the block
    `enforce_https` defaults to true. Without `tls_security_policy` AWS picks the policy when the
    domain is created, so the Terraform result is unknown until it is set explicitly.

    Remediation:

        resource "aws_opensearch_domain" "phi" {
          domain_endpoint_options {
            enforce_https       = true
            tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
          }
        }
    """
    options = domain.get("domain_endpoint_options")
    if _unresolved(options):
        return Result.unknown(f"domain_endpoint_options is not known ({options})")
    if not options:
        return Result.failed("no domain_endpoint_options: HTTPS is not enforced")
    if not domain.get_bool("domain_endpoint_options.0.enforce_https", True):
        return Result.failed("enforce_https is false: plain HTTP is accepted")
    policy = domain.get("domain_endpoint_options.0.tls_security_policy")
    if _unresolved(policy):
        return Result.unknown(f"tls_security_policy is not known ({policy})")
    if policy is None:
        return Result.unknown(
            "HTTPS is enforced but tls_security_policy is not set: AWS chooses it at creation"
        )
    if str(policy).startswith(TLS_1_2_POLICY_PREFIX):
        return Result.passed(f"HTTPS enforced with {policy}")
    return Result.failed(f"tls_security_policy {policy} accepts TLS versions before 1.2")


@check(
    id="opensearch_domain_in_vpc",
    title="OpenSearch domains are placed in a VPC",
    severity="high",
    resource_types=DOMAIN_TYPES,
    references={"aws_config": ["opensearch-in-vpc-only", "elasticsearch-in-vpc-only"]},
)
def opensearch_domain_in_vpc(domain: Resource) -> Result:
    """A domain outside a VPC has a public endpoint reachable from the internet, guarded only by
    its access policy; inside a VPC, security groups and private routing keep it off the internet.

    Default: without `vpc_options` the domain gets a public endpoint. Placement can only be chosen
    when the domain is created.

    Remediation:

        resource "aws_opensearch_domain" "phi" {
          vpc_options {
            subnet_ids         = [aws_subnet.private_a.id]
            security_group_ids = [aws_security_group.search.id]
          }
        }
    """
    subnets = domain.get("vpc_options.0.subnet_ids")
    if _unresolved(subnets) or _unresolved(domain.get("vpc_options")):
        return Result.unknown("vpc_options is not known")
    if subnets:
        return Result.passed(f"in a VPC ({len(subnets)} subnet(s))")
    return Result.failed("not in a VPC: the domain has a public endpoint")


@check(
    id="opensearch_domain_audit_logging_enabled",
    title="OpenSearch domains publish audit logs",
    severity="medium",
    resource_types=DOMAIN_TYPES,
    references={"aws_config": ["opensearch-audit-logging-enabled"]},
)
def opensearch_domain_audit_logging_enabled(domain: Resource) -> Result:
    """Audit logs record who searched, read or changed which index (and failed logins); without
    them access to ePHI in the domain leaves no trace. They need fine-grained access control.

    Default: no `log_publishing_options` block with `log_type = "AUDIT_LOGS"` means no audit
    logs; inside the block `enabled` defaults to true.

    Remediation:

        resource "aws_opensearch_domain" "phi" {
          log_publishing_options {
            log_type                 = "AUDIT_LOGS"
            cloudwatch_log_group_arn = aws_cloudwatch_log_group.search_audit.arn
          }
        }
    """
    options = domain.get("log_publishing_options")
    if _unresolved(options):
        return Result.unknown(f"log_publishing_options is not known ({options})")
    unresolved = False
    for index, option in enumerate(options or []):
        log_type = domain.get(f"log_publishing_options.{index}.log_type")
        if _unresolved(log_type) or _unresolved(option):
            unresolved = True
            continue
        if log_type != "AUDIT_LOGS":
            continue
        if domain.get_bool(f"log_publishing_options.{index}.enabled", True):
            return Result.passed("audit logs are published")
        return Result.failed("AUDIT_LOGS publishing is disabled")
    if unresolved:
        return Result.unknown("a log_publishing_options log_type is not known")
    return Result.failed("audit logs (AUDIT_LOGS) are not published")
