"""ECR repositories: image scanning and immutable tags."""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check


@check(
    id="ecr_repository_scan_on_push_enabled",
    title="ECR repositories scan images on push",
    severity="medium",
    resource_types=["aws_ecr_repository"],
    references={
        "checkov": ["CKV_AWS_163"],
        "aws_config": ["ecr-private-image-scanning-enabled"],
    },
)
def ecr_repository_scan_on_push_enabled(repository: Resource) -> Result:
    """Scanning each image as it is pushed reports known vulnerabilities in the software that
    will process ePHI before it is deployed.

    Default: `image_scanning_configuration.scan_on_push` is false. Registry-level (enhanced)
    scanning configured with `aws_ecr_registry_scanning_configuration` is not read here: a
    repository covered only by it is reported as failing.

    Remediation:

        resource "aws_ecr_repository" "app" {
          image_scanning_configuration { scan_on_push = true }
        }
    """
    if repository.get_bool("image_scanning_configuration.0.scan_on_push", False):
        return Result.passed("scan_on_push is true")
    return Result.failed("scan_on_push is not enabled: pushed images are not scanned")


@check(
    id="ecr_repository_tags_immutable",
    title="ECR repositories make image tags immutable",
    severity="low",
    resource_types=["aws_ecr_repository"],
    references={
        "checkov": ["CKV_AWS_51"],
        "aws_config": ["ecr-private-tag-immutability-enabled"],
    },
)
def ecr_repository_tags_immutable(repository: Resource) -> Result:
    """With mutable tags, pushing an image under an existing tag silently changes what every
    deployment of that tag runs; immutable tags keep a deployed version what was reviewed.

    Default: `image_tag_mutability` is MUTABLE. IMMUTABLE_WITH_EXCLUSION counts as immutable
    (the exclusions are deliberate, named tag filters).

    Remediation:

        resource "aws_ecr_repository" "app" {
          image_tag_mutability = "IMMUTABLE"
        }
    """
    value = repository.get("image_tag_mutability")
    if value is None:
        return Result.failed("image_tag_mutability is not set (default MUTABLE)")
    if is_unknown(value) or is_reference(value) or not isinstance(value, str):
        return Result.unknown(f"image_tag_mutability is not known ({value})")
    if value.upper().startswith("IMMUTABLE"):
        return Result.passed(f"image_tag_mutability is {value}")
    return Result.failed(f"image_tag_mutability is {value}: tags can be overwritten")
