"""Security Hub: whether the hub is enabled in each region (DescribeHub; an account that is not
subscribed answers InvalidAccessException, a fact about the region rather than an error)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    call_optional,
    partition_for,
    unknown_from,
)

NOT_ENABLED = ("InvalidAccessException", "ResourceNotFoundException")


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    hub = call_optional(recorder, clients("securityhub", region), "describe_hub", NOT_ENABLED)
    return {"hub": hub}


def normalize(raw: RawService) -> Iterable[Resource]:
    hub = raw.data.get("hub")
    failed = unknown_from(hub)
    partition = partition_for(raw.region)
    yield Resource(
        type="aws_securityhub_account",
        id=f"arn:{partition}:securityhub:{raw.region}:{raw.account}:hub/default",
        source="aws",
        location=Location(account=raw.account, region=raw.region),
        attributes={
            "enabled": failed if failed is not None else hub is not None,
            "auto_enable_controls": None
            if failed is not None or hub is None
            else hub.get("AutoEnableControls"),
        },
        raw=hub,
    )


COLLECTOR = Collector(
    name="securityhub",
    actions=("securityhub:DescribeHub",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_securityhub_account",),
)
