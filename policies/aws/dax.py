"""DynamoDB Accelerator (DAX): clusters encrypt the cached items at rest."""

from __future__ import annotations

from scanner.core.model import Resource, Result
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
