"""EKS clusters: secrets encryption, API endpoint exposure, control-plane logging."""

from __future__ import annotations

from policies.aws.definite_matches import definite_matches
from policies.aws.network_exposure import is_internet_cidr
from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check

REQUIRED_LOG_TYPES = ("api", "audit", "authenticator")


@check(
    id="eks_cluster_secrets_encrypted",
    title="EKS clusters envelope-encrypt Kubernetes secrets with a KMS key",
    severity="high",
    resource_types=["aws_eks_cluster"],
    references={"checkov": ["CKV_AWS_58"], "aws_config": ["eks-secrets-encrypted"]},
)
def eks_cluster_secrets_encrypted(cluster: Resource) -> Result:
    """Kubernetes secrets (database passwords, API keys to systems holding ePHI) sit in etcd;
    envelope encryption with your KMS key keeps them unreadable without that key.

    A `key_arn` that is only known at apply (a variable, another module's output) passes: the
    provider requires it and EKS rejects a cluster whose key is empty or not a KMS key.

    Remediation:

        resource "aws_eks_cluster" "main" {
          encryption_config {
            resources = ["secrets"]
            provider { key_arn = aws_kms_key.eks.arn }
          }
        }
    """
    for config in cluster.get("encryption_config") or []:
        if "secrets" in (config.get("resources") or []):
            key = (config.get("provider") or [{}])[0].get("key_arn")
            if is_unknown(key):
                # key_arn is required by the provider and EKS rejects an empty or invalid one:
                # whatever value it takes at apply, a cluster that exists encrypts with it.
                return Result.passed(
                    f"secrets are envelope-encrypted with a key known at apply ({key.reason})"
                )
            if key:
                return Result.passed(f"secrets are envelope-encrypted with {key}")
            return Result.failed("encryption_config for secrets has no provider key_arn")
    return Result.failed("no encryption_config covers secrets")


@check(
    id="eks_cluster_endpoint_not_public",
    title="EKS cluster API endpoints are private or restricted to known CIDRs",
    severity="high",
    resource_types=["aws_eks_cluster"],
    references={
        "checkov": ["CKV_AWS_38", "CKV_AWS_39"],
        "aws_config": ["eks-endpoint-no-public-access"],
    },
)
def eks_cluster_endpoint_not_public(cluster: Resource) -> Result:
    """A public Kubernetes API endpoint open to 0.0.0.0/0 leaves cluster credentials and API
    vulnerabilities as the only barrier to the control plane.

    Defaults: `vpc_config.endpoint_public_access` true, `public_access_cidrs` ["0.0.0.0/0"].
    Passes when the public endpoint is disabled, or enabled only for CIDRs narrower than /0.

    Remediation:

        vpc_config {
          subnet_ids              = var.private_subnet_ids
          endpoint_private_access = true
          endpoint_public_access  = false
        }
    """
    if not cluster.get_bool("vpc_config.0.endpoint_public_access", True):
        return Result.passed("the public API endpoint is disabled")
    cidrs = cluster.get("vpc_config.0.public_access_cidrs") or ["0.0.0.0/0"]
    open_cidrs, unknown_reasons = definite_matches(cidrs, is_internet_cidr)
    if open_cidrs:
        return Result.failed(f"the public API endpoint is open to {', '.join(open_cidrs)}")
    if unknown_reasons:
        return Result.unknown(f"a public_access_cidrs entry is unknown: {unknown_reasons[0]}")
    return Result.passed(f"the public API endpoint is restricted to {', '.join(cidrs)}")


@check(
    id="eks_cluster_control_plane_logging_enabled",
    title="EKS clusters log api, audit and authenticator control-plane events",
    severity="medium",
    resource_types=["aws_eks_cluster"],
    references={"checkov": ["CKV_AWS_37"], "aws_config": ["eks-cluster-logging-enabled"]},
)
def eks_cluster_control_plane_logging_enabled(cluster: Resource) -> Result:
    """The API server, audit and authenticator logs record who did what in the cluster; EKS
    sends none of them to CloudWatch Logs unless asked.

    Default: `enabled_cluster_log_types` is empty.

    Remediation:

        resource "aws_eks_cluster" "main" {
          enabled_cluster_log_types = ["api", "audit", "authenticator"]
        }
    """
    enabled = cluster.get("enabled_cluster_log_types") or []
    missing = [log_type for log_type in REQUIRED_LOG_TYPES if log_type not in enabled]
    if missing:
        return Result.failed(f"control-plane log types not enabled: {', '.join(missing)}")
    return Result.passed("api, audit and authenticator logs are enabled")
