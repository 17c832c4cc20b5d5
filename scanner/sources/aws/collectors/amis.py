"""AMIs the account owns, and whether anyone may launch them.

DescribeImages(Owners=self) returns each image's `Public` flag (true when its launch permission
includes the group `all`), so a region costs one call and no per-image call. Accounts an image is
shared with are not read (DescribeImageAttribute per image): sharing with named accounts is not
public. Images of other owners are dropped even if the listing returns them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    partition_for,
)
from scanner.sources.aws.collectors.ec2 import ec2_arn, tags_dict


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    ec2 = clients("ec2", region)
    listed = recorder.paginate(ec2, "describe_images", "Images", Owners=["self"])
    images = (
        [i for i in listed if str(i.get("OwnerId")) == account]
        if isinstance(listed, list)
        else listed
    )
    return {"images": images, "partition": ec2.meta.partition}


def normalize(raw: RawService) -> Iterable[Resource]:
    images = raw.data.get("images")
    if not isinstance(images, list):
        return  # the failed listing is in the report
    partition = str(raw.data.get("partition") or partition_for(raw.region))
    for image in images:
        image_id = str(image["ImageId"])
        public = image.get("Public")
        yield Resource(
            type="aws_ami",
            id=ec2_arn(partition, raw.region, "", "image", image_id),
            source="aws",
            location=Location(account=raw.account, region=raw.region),
            attributes={
                "id": image_id,
                "name": image.get("Name"),
                "state": image.get("State"),
                # Absent flag: not returned, so not known (never read as private).
                "public": bool(public) if isinstance(public, bool) else None,
                "tags": tags_dict(image.get("Tags")),
            },
            raw=dict(image),
        )


COLLECTOR = Collector(
    name="amis",
    actions=("ec2:DescribeImages",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_ami",),
)
