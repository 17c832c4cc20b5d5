"""SageMaker notebook instances: storage key, direct internet access and root access.

ListNotebookInstances gives names only; each instance needs one DescribeNotebookInstance. An
instance whose describe call failed keeps every setting Unknown, never a default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    fan_out_by_key,
    partition_for,
    unknown_from,
)

SETTINGS = ("kms_key_id", "direct_internet_access", "root_access", "subnet_id")


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    sagemaker = clients("sagemaker", region)
    listed = recorder.paginate(sagemaker, "list_notebook_instances", "NotebookInstances")
    names = [n["NotebookInstanceName"] for n in listed] if isinstance(listed, list) else []
    described = fan_out_by_key(
        recorder,
        lambda name: recorder.call(
            sagemaker, "describe_notebook_instance", NotebookInstanceName=name
        ),
        names,
    )
    return {"notebook_instances": listed, "described": described}


def _attributes(name: str, response: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {"name": name}
    unknown = unknown_from(response)
    if unknown is None and not isinstance(response, Mapping):
        unknown = Unknown("sagemaker:DescribeNotebookInstance was not recorded")
    if unknown is not None:
        attributes.update({setting: unknown for setting in SETTINGS})
        return attributes
    for attribute, key in (
        ("kms_key_id", "KmsKeyId"),
        ("direct_internet_access", "DirectInternetAccess"),
        ("root_access", "RootAccess"),
        ("subnet_id", "SubnetId"),
        ("instance_type", "InstanceType"),
    ):
        if response.get(key) is not None:
            attributes[attribute] = response[key]
    return attributes


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    listed = raw.data.get("notebook_instances")
    described = raw.data.get("described") or {}
    for item in listed if isinstance(listed, list) else []:
        name = item["NotebookInstanceName"]
        arn = item.get("NotebookInstanceArn") or (
            f"arn:{partition_for(raw.region)}:sagemaker:{raw.region}:{raw.account}:"
            f"notebook-instance/{name.lower()}"
        )
        yield Resource(
            type="aws_sagemaker_notebook_instance",
            id=str(arn),
            source="aws",
            location=location,
            attributes=_attributes(name, described.get(name)),
            raw={"listed": dict(item), "described": described.get(name)},
        )


COLLECTOR = Collector(
    name="sagemaker",
    actions=("sagemaker:ListNotebookInstances", "sagemaker:DescribeNotebookInstance"),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_sagemaker_notebook_instance",),
)
