"""SNS topics: encryption at rest and access policy."""

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
    parse_policy,
    unknown_from,
)


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    sns = clients("sns", region)
    topics = recorder.paginate(sns, "list_topics", "Topics")
    arns = [topic["TopicArn"] for topic in topics] if isinstance(topics, list) else []
    attributes = fan_out_by_key(
        recorder, lambda arn: recorder.call(sns, "get_topic_attributes", TopicArn=arn), arns
    )
    return {
        "topics": topics,
        "attributes": attributes,
        # One region-wide listing (100 a page) instead of ListSubscriptionsByTopic per topic;
        # GetTopicAttributes' SubscriptionsConfirmed would be free, but counts only.
        "subscriptions": recorder.paginate(sns, "list_subscriptions", "Subscriptions"),
    }


def _subscriptions_by_topic(listed: Any) -> dict[str, list[dict[str, Any]]] | Unknown:
    """Each topic's subscriptions: protocol and whether confirmed (endpoints are not kept: they
    are addresses of people and systems, and no check needs them)."""
    failed = unknown_from(listed)
    if failed is not None:
        return failed
    if not isinstance(listed, list):
        return Unknown("sns:ListSubscriptions was not recorded")
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for entry in listed:
        by_topic.setdefault(str(entry.get("TopicArn")), []).append(
            {
                "protocol": entry.get("Protocol"),
                "confirmed": entry.get("SubscriptionArn") not in ("PendingConfirmation", None),
            }
        )
    return by_topic


def _attributes(arn: str, response: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {"name": arn.rsplit(":", 1)[-1]}
    unknown = unknown_from(response)
    if unknown is None and not isinstance(response, Mapping):
        unknown = Unknown("sns:GetTopicAttributes was not recorded for this topic")
    if unknown is not None:
        attributes["kms_master_key_id"] = unknown
        attributes["policy"] = unknown
        return attributes
    values = response.get("Attributes") or {}
    # No KmsMasterKeyId: messages are stored without encryption at rest.
    if values.get("KmsMasterKeyId"):
        attributes["kms_master_key_id"] = values["KmsMasterKeyId"]
    if values.get("DisplayName"):
        attributes["display_name"] = values["DisplayName"]
    attributes["fifo_topic"] = str(values.get("FifoTopic", "false")).lower() == "true"
    attributes["policy"] = parse_policy(values.get("Policy"))
    return attributes


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    topics = raw.data.get("topics")
    responses = raw.data.get("attributes") or {}
    subscriptions = _subscriptions_by_topic(raw.data.get("subscriptions"))
    for topic in topics if isinstance(topics, list) else []:
        arn = str(topic["TopicArn"])
        yield Resource(
            type="aws_sns_topic",
            id=arn,
            source="aws",
            location=location,
            attributes={
                **_attributes(arn, responses.get(arn)),
                "subscriptions": subscriptions
                if isinstance(subscriptions, Unknown)
                else subscriptions.get(arn, []),
            },
            raw=responses.get(arn),
        )


COLLECTOR = Collector(
    name="sns",
    actions=("sns:ListTopics", "sns:GetTopicAttributes", "sns:ListSubscriptions"),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_sns_topic",),
)
