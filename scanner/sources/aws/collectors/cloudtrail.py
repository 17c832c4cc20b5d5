"""CloudTrail trails: coverage, integrity, encryption, delivery and whether they are logging."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    fan_out,
    unknown_from,
)

_TRAIL_FIELDS = {
    "name": "Name",
    "s3_bucket_name": "S3BucketName",
    "s3_key_prefix": "S3KeyPrefix",
    "sns_topic_name": "SnsTopicName",
    "include_global_service_events": "IncludeGlobalServiceEvents",
    "is_multi_region_trail": "IsMultiRegionTrail",
    "is_organization_trail": "IsOrganizationTrail",
    "enable_log_file_validation": "LogFileValidationEnabled",
    "kms_key_id": "KmsKeyId",
    "cloud_watch_logs_group_arn": "CloudWatchLogsLogGroupArn",
    "cloud_watch_logs_role_arn": "CloudWatchLogsRoleArn",
    "home_region": "HomeRegion",
}
# Advanced event selector field operators, API name -> Terraform field_selector argument.
_OPERATORS = {
    "Equals": "equals",
    "NotEquals": "not_equals",
    "StartsWith": "starts_with",
    "NotStartsWith": "not_starts_with",
    "EndsWith": "ends_with",
    "NotEndsWith": "not_ends_with",
}


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    cloudtrail = clients("cloudtrail", region)
    # Without shadow trails each trail is listed once, in its home region: a multi-region trail
    # is not repeated in every region, and an organization trail is judged in the management
    # account that owns it, not in every member account. DescribeTrails does not paginate.
    trails = recorder.call(cloudtrail, "describe_trails", includeShadowTrails=False)

    def one_trail(arn: str) -> tuple[Any, Any]:
        return (
            recorder.call(cloudtrail, "get_trail_status", Name=arn),
            recorder.call(cloudtrail, "get_event_selectors", TrailName=arn),
        )

    arns = [trail["TrailARN"] for trail in _trails(trails)]
    results = fan_out(recorder, one_trail, arns)
    return {
        "trails": trails,
        "trail_status": {arn: status for arn, (status, _) in zip(arns, results, strict=True)},
        "event_selectors": {arn: sel for arn, (_, sel) in zip(arns, results, strict=True)},
    }


def _trails(response: Any) -> list[Mapping[str, Any]]:
    if not isinstance(response, Mapping) or unknown_from(response) is not None:
        return []
    return list(response.get("trailList") or [])


def _event_selector(selector: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "read_write_type": selector.get("ReadWriteType", "All"),
        "include_management_events": selector.get("IncludeManagementEvents", True),
        "exclude_management_event_sources": list(
            selector.get("ExcludeManagementEventSources") or []
        ),
        "data_resource": [
            {"type": resource.get("Type"), "values": list(resource.get("Values") or [])}
            for resource in selector.get("DataResources") or []
        ],
    }


def _advanced_event_selector(selector: Mapping[str, Any]) -> dict[str, Any]:
    fields = []
    for field_selector in selector.get("FieldSelectors") or []:
        entry: dict[str, Any] = {"field": field_selector.get("Field")}
        for api_name, argument in _OPERATORS.items():
            if field_selector.get(api_name):
                entry[argument] = list(field_selector[api_name])
        fields.append(entry)
    return {"name": selector.get("Name"), "field_selector": fields}


def _not_recorded(operation: str) -> Unknown:
    return Unknown(f"cloudtrail:{operation} was not recorded for this trail")


def _attributes(trail: Mapping[str, Any], status: Any, selectors: Any) -> dict[str, Any]:
    attributes = {name: trail[key] for name, key in _TRAIL_FIELDS.items() if key in trail}
    unknown = unknown_from(status)
    if unknown is None and not isinstance(status, Mapping):
        unknown = _not_recorded("GetTrailStatus")
    attributes["enable_logging"] = (
        unknown if unknown is not None else bool(status.get("IsLogging", False))
    )
    unknown = unknown_from(selectors)
    if unknown is None and not isinstance(selectors, Mapping):
        unknown = _not_recorded("GetEventSelectors")
    if unknown is not None:
        attributes["event_selector"] = unknown
        attributes["advanced_event_selector"] = unknown
    else:
        attributes["event_selector"] = [
            _event_selector(s) for s in selectors.get("EventSelectors") or []
        ]
        attributes["advanced_event_selector"] = [
            _advanced_event_selector(s) for s in selectors.get("AdvancedEventSelectors") or []
        ]
    return attributes


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    status = raw.data.get("trail_status") or {}
    selectors = raw.data.get("event_selectors") or {}
    for trail in _trails(raw.data.get("trails")):
        arn = trail["TrailARN"]
        yield Resource(
            type="aws_cloudtrail",
            id=arn,
            source="aws",
            location=location,
            attributes=_attributes(trail, status.get(arn), selectors.get(arn)),
            raw={
                "trail": dict(trail),
                "status": status.get(arn),
                "event_selectors": selectors.get(arn),
            },
        )


COLLECTOR = Collector(
    name="cloudtrail",
    actions=(
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
    ),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_cloudtrail",),
)
