"""ECR private repositories: scan-on-push and tag immutability.

DescribeRepositories returns both settings for every repository, so a region costs one
(paginated) call and no per-repository call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import CallRecorder, ClientFactory, Collector, RawService


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    ecr = clients("ecr", region)
    return {"repositories": recorder.paginate(ecr, "describe_repositories", "repositories")}


def _attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {"name": item.get("repositoryName")}
    if item.get("imageTagMutability"):
        attributes["image_tag_mutability"] = item["imageTagMutability"]
    scanning = item.get("imageScanningConfiguration")
    if isinstance(scanning, Mapping):
        attributes["image_scanning_configuration"] = [
            {"scan_on_push": bool(scanning.get("scanOnPush", False))}
        ]
    encryption = item.get("encryptionConfiguration")
    if isinstance(encryption, Mapping):
        block = {"encryption_type": encryption.get("encryptionType")}
        if encryption.get("kmsKey"):
            block["kms_key"] = encryption["kmsKey"]
        attributes["encryption_configuration"] = [block]
    return attributes


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    repositories = raw.data.get("repositories")
    for item in repositories if isinstance(repositories, list) else []:
        yield Resource(
            type="aws_ecr_repository",
            id=item["repositoryArn"],
            source="aws",
            location=location,
            attributes=_attributes(item),
            raw=dict(item),
        )


COLLECTOR = Collector(
    name="ecr",
    actions=("ecr:DescribeRepositories",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_ecr_repository",),
)
