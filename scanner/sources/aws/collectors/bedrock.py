"""Amazon Bedrock: model-invocation logging, one setting per region.

GetModelInvocationLoggingConfiguration returns the region's configuration (an empty
`loggingConfig` when logging is off): one call per region, no listing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    partition_for,
    unknown_from,
)

RESOURCE_TYPE = "aws_bedrock_model_invocation_logging_configuration"


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    bedrock = clients("bedrock", region)
    return {
        "logging": recorder.call(bedrock, "get_model_invocation_logging_configuration"),
        "partition": bedrock.meta.partition,
    }


def _logging_config(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """AWS's `loggingConfig` in the Terraform resource's block shape; [] when logging is off."""
    cloudwatch = config.get("cloudWatchConfig")
    s3 = config.get("s3Config")
    if not isinstance(cloudwatch, Mapping) and not isinstance(s3, Mapping):
        return []
    block: dict[str, Any] = {
        "text_data_delivery_enabled": config.get("textDataDeliveryEnabled"),
        "image_data_delivery_enabled": config.get("imageDataDeliveryEnabled"),
        "embedding_data_delivery_enabled": config.get("embeddingDataDeliveryEnabled"),
        "cloudwatch_config": [],
        "s3_config": [],
    }
    if isinstance(cloudwatch, Mapping):
        block["cloudwatch_config"] = [
            {
                "log_group_name": cloudwatch.get("logGroupName"),
                "role_arn": cloudwatch.get("roleArn"),
            }
        ]
    if isinstance(s3, Mapping):
        block["s3_config"] = [
            {"bucket_name": s3.get("bucketName"), "key_prefix": s3.get("keyPrefix")}
        ]
    return [block]


def normalize(raw: RawService) -> Iterable[Resource]:
    partition = str(raw.data.get("partition") or partition_for(raw.region))
    response = raw.data.get("logging")
    if response is None:
        return
    failed = unknown_from(response)
    config = response.get("loggingConfig") if failed is None else None
    yield Resource(
        type=RESOURCE_TYPE,
        id=f"arn:{partition}:bedrock:{raw.region}:{raw.account}:model-invocation-logging",
        source="aws",
        location=Location(account=raw.account, region=raw.region),
        attributes={
            "logging_config": failed
            if failed is not None
            else _logging_config(config if isinstance(config, Mapping) else {})
        },
        raw=response,
    )


COLLECTOR = Collector(
    name="bedrock",
    actions=("bedrock:GetModelInvocationLoggingConfiguration",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=(RESOURCE_TYPE,),
)
