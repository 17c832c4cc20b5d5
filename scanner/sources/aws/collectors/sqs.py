"""SQS queues: encryption at rest (SSE-KMS or SSE-SQS) and access policy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    fan_out_by_key,
    parse_policy,
    partition_for,
    unknown_from,
)


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    sqs = clients("sqs", region)
    urls = recorder.paginate(sqs, "list_queues", "QueueUrls")
    listed = urls if isinstance(urls, list) else []
    attributes = fan_out_by_key(
        recorder,
        lambda url: recorder.call(
            sqs, "get_queue_attributes", QueueUrl=url, AttributeNames=["All"]
        ),
        listed,
    )
    return {"queue_urls": urls, "attributes": attributes}


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


def _attributes(name: str, response: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {"name": name}
    unknown = unknown_from(response)
    if unknown is None and not isinstance(response, Mapping):
        unknown = Unknown("sqs:GetQueueAttributes was not recorded for this queue")
    if unknown is not None:
        for key in ("kms_master_key_id", "sqs_managed_sse_enabled", "policy"):
            attributes[key] = unknown
        return attributes
    values = response.get("Attributes") or {}
    if values.get("KmsMasterKeyId"):
        attributes["kms_master_key_id"] = values["KmsMasterKeyId"]
    # The live API reports SqsManagedSseEnabled for every queue where SSE-SQS exists; when it is
    # missing the queue has no SSE-SQS. (The Terraform default of true describes what a *new*
    # queue gets, not the state of an existing one, so it must not fill the gap here.)
    attributes["sqs_managed_sse_enabled"] = _flag(values.get("SqsManagedSseEnabled", "false"))
    attributes["fifo_queue"] = _flag(values.get("FifoQueue", "false"))
    for key, attribute in (
        ("MessageRetentionPeriod", "message_retention_seconds"),
        ("VisibilityTimeout", "visibility_timeout_seconds"),
        ("KmsDataKeyReusePeriodSeconds", "kms_data_key_reuse_period_seconds"),
    ):
        if values.get(key) is not None:
            attributes[attribute] = int(values[key])
    attributes["policy"] = parse_policy(values.get("Policy"))
    return attributes


def _arn(url: str, response: Any, region: str, account: str) -> str:
    if isinstance(response, Mapping) and unknown_from(response) is None:
        arn = (response.get("Attributes") or {}).get("QueueArn")
        if arn:
            return str(arn)
    # Without attributes, build the ARN from the URL: https://<host>/<account>/<queue name>.
    parts = urlparse(url).path.strip("/").split("/")
    owner, name = (parts[0], parts[-1]) if len(parts) >= 2 else (account, parts[-1])
    return f"arn:{partition_for(region)}:sqs:{region}:{owner}:{name}"


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    urls = raw.data.get("queue_urls")
    responses = raw.data.get("attributes") or {}
    for url in urls if isinstance(urls, list) else []:
        response = responses.get(url)
        arn = _arn(url, response, raw.region, raw.account)
        yield Resource(
            type="aws_sqs_queue",
            id=arn,
            source="aws",
            location=location,
            attributes=_attributes(arn.rsplit(":", 1)[-1], response),
            raw={"url": url, "attributes": response},
        )


COLLECTOR = Collector(
    name="sqs",
    actions=("sqs:ListQueues", "sqs:GetQueueAttributes"),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_sqs_queue",),
)
