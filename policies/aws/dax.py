"""DynamoDB Accelerator (DAX): clusters encrypt the cached items at rest and in transit."""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check


@check(
    id="dax_cluster_encrypted_at_rest",
    title="DAX clusters encrypt data at rest",
    severity="medium",
    resource_types=["aws_dax_cluster"],
    references={"checkov": ["CKV_AWS_47"], "aws_config": ["dax-encryption-enabled"]},
)
def dax_cluster_encrypted_at_rest(cluster: Resource) -> Result:
    """A DAX cluster caches items of the DynamoDB tables behind it, ePHI included, on its nodes'
    disks and in their logs; without server-side encryption that copy is stored in clear.

    Default: `server_side_encryption.enabled` is false, and it can only be set when the cluster
    is created (changing it replaces the cluster). Live: `SSEDescription.Status` ENABLED (or
    ENABLING, a cluster being created with it).

    Remediation:

        resource "aws_dax_cluster" "cache" {
          server_side_encryption { enabled = true }
        }
    """
    if cluster.get_bool("server_side_encryption.0.enabled", False):
        return Result.passed("server-side encryption is enabled")
    return Result.failed("server-side encryption is not enabled: cached items are stored in clear")


@check(
    id="dax_cluster_encrypted_in_transit",
    title="DAX clusters encrypt traffic to their endpoint with TLS",
    severity="medium",
    resource_types=["aws_dax_cluster"],
    references={"checkov": ["CKV_AWS_239"]},
)
def dax_cluster_encrypted_in_transit(cluster: Resource) -> Result:
    """Applications read cached DynamoDB items, ePHI included, from the DAX endpoint; without
    TLS those reads cross the VPC in clear (transmission security).

    Default: `cluster_endpoint_encryption_type` is NONE, and it can only be set when the
    cluster is created (changing it replaces the cluster).

    Remediation:

        resource "aws_dax_cluster" "cache" {
          cluster_endpoint_encryption_type = "TLS"
        }
    """
    value = cluster.get("cluster_endpoint_encryption_type")
    if value is None:
        return Result.failed("cluster_endpoint_encryption_type is not set (default NONE)")
    if is_unknown(value) or is_reference(value) or not isinstance(value, str):
        return Result.unknown(f"cluster_endpoint_encryption_type is not known ({value})")
    if value.upper() == "TLS":
        return Result.passed("the endpoint requires TLS")
    return Result.failed(f"cluster_endpoint_encryption_type is {value}: traffic is not encrypted")
