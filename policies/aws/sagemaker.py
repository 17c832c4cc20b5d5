"""SageMaker notebook instances: storage encryption key, internet access and root access."""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check

NOTEBOOK = ["aws_sagemaker_notebook_instance"]


def _setting(notebook: Resource, name: str, default: str) -> str | None:
    """`Enabled`/`Disabled` as set (or the default); None when it is not known."""
    value = notebook.get(name)
    if is_unknown(value) or is_reference(value):
        return None
    return str(value if value is not None else default)


@check(
    id="sagemaker_notebook_instance_encrypted_with_kms",
    title="SageMaker notebook instances encrypt their storage with a KMS key",
    severity="medium",
    resource_types=NOTEBOOK,
    references={
        "checkov": ["CKV_AWS_22"],
        "aws_config": ["sagemaker-notebook-instance-kms-key-configured"],
    },
)
def sagemaker_notebook_instance_encrypted_with_kms(notebook: Resource) -> Result:
    """Notebook volumes hold the data scientists pulled in, often extracts of ePHI; a KMS key
    you control makes every use of that volume auditable and revocable.

    Default: without `kms_key_id` the ML storage volume uses an AWS-managed key you cannot see
    or restrict.

    Remediation:

        resource "aws_sagemaker_notebook_instance" "research" {
          kms_key_id = aws_kms_key.sagemaker.arn
        }
    """
    key = notebook.get("kms_key_id")
    if is_unknown(key):
        return Result.unknown(f"kms_key_id is not known ({key})")
    if key:
        return Result.passed(f"storage encrypted with KMS key {key}")
    return Result.failed("no kms_key_id: the volume is not encrypted with a key you control")


@check(
    id="sagemaker_notebook_instance_direct_internet_access_disabled",
    title="SageMaker notebook instances have no direct internet access",
    severity="high",
    resource_types=NOTEBOOK,
    references={
        "checkov": ["CKV_AWS_122"],
        "aws_config": ["sagemaker-notebook-no-direct-internet-access"],
    },
)
def sagemaker_notebook_instance_direct_internet_access_disabled(notebook: Resource) -> Result:
    """With direct internet access SageMaker gives the notebook its own route to the internet,
    bypassing the VPC's egress controls: data can leave, and code can arrive, unobserved.

    Default: `direct_internet_access` is "Enabled" (it can be disabled only with a `subnet_id`).

    Remediation:

        resource "aws_sagemaker_notebook_instance" "research" {
          subnet_id              = aws_subnet.private.id
          security_groups        = [aws_security_group.notebook.id]
          direct_internet_access = "Disabled"
        }
    """
    value = _setting(notebook, "direct_internet_access", "Enabled")
    if value is None:
        return Result.unknown("direct_internet_access is not known")
    if value.lower() == "disabled":
        return Result.passed("direct internet access is disabled")
    return Result.failed(f"direct_internet_access is {value}")


@check(
    id="sagemaker_notebook_instance_root_access_disabled",
    title="SageMaker notebook instances do not give users root access",
    severity="medium",
    resource_types=NOTEBOOK,
    references={"aws_config": ["sagemaker-notebook-instance-root-access-check"]},
)
def sagemaker_notebook_instance_root_access_disabled(notebook: Resource) -> Result:
    """Root on the notebook lets any user change its software, logging and network settings;
    least privilege keeps users to the notebook itself.

    Default: `root_access` is "Enabled".

    Remediation:

        resource "aws_sagemaker_notebook_instance" "research" {
          root_access = "Disabled"
        }
    """
    value = _setting(notebook, "root_access", "Enabled")
    if value is None:
        return Result.unknown("root_access is not known")
    if value.lower() == "disabled":
        return Result.passed("root access is disabled")
    return Result.failed(f"root_access is {value}")
