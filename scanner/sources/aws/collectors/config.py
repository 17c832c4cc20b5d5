"""AWS Config configuration recorders: what they record and whether they are recording.

`recording` comes from DescribeConfigurationRecorderStatus (Terraform keeps it in the companion
`aws_config_configuration_recorder_status.is_enabled`; here it is folded into the recorder, as the
design folds companions into their parent).
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
    partition_for,
    unknown_from,
)


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    config = clients("config", region)
    # Neither call paginates: an account has at most one customer-managed recorder per region
    # (plus any service-linked ones), and both calls return them all.
    return {
        "recorders": recorder.call(config, "describe_configuration_recorders"),
        "status": recorder.call(config, "describe_configuration_recorder_status"),
    }


def _recording_group(group: Mapping[str, Any]) -> list[dict[str, Any]]:
    block: dict[str, Any] = {
        "all_supported": group.get("allSupported", True),
        "include_global_resource_types": group.get("includeGlobalResourceTypes", False),
        "resource_types": list(group.get("resourceTypes") or []),
    }
    excluded = (group.get("exclusionByResourceTypes") or {}).get("resourceTypes")
    if excluded:
        block["exclusion_by_resource_types"] = [{"resource_types": list(excluded)}]
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")
    if strategy:
        block["recording_strategy"] = [{"use_only": strategy}]
    return [block]


def _recording_mode(mode: Mapping[str, Any]) -> list[dict[str, Any]]:
    overrides = [
        {
            "description": override.get("description"),
            "resource_types": list(override.get("resourceTypes") or []),
            "recording_frequency": override.get("recordingFrequency"),
        }
        for override in mode.get("recordingModeOverrides") or []
    ]
    block: dict[str, Any] = {"recording_frequency": mode.get("recordingFrequency")}
    if overrides:
        block["recording_mode_override"] = overrides
    return [block]


def _statuses(response: Any) -> dict[str, Mapping[str, Any]] | Unknown:
    unknown = unknown_from(response)
    if unknown is None and not isinstance(response, Mapping):
        unknown = Unknown("config:DescribeConfigurationRecorderStatus was not recorded")
    if unknown is not None:
        return unknown
    statuses: dict[str, Mapping[str, Any]] = {}
    for status in response.get("ConfigurationRecordersStatus") or []:
        for key in (status.get("arn"), status.get("name")):
            if key:
                statuses[str(key)] = status
    return statuses


def _attributes(item: Mapping[str, Any], statuses: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {"name": item.get("name"), "role_arn": item.get("roleARN")}
    if isinstance(item.get("recordingGroup"), Mapping):
        attributes["recording_group"] = _recording_group(item["recordingGroup"])
    if isinstance(item.get("recordingMode"), Mapping):
        attributes["recording_mode"] = _recording_mode(item["recordingMode"])
    # Service-linked recorders (servicePrincipal set) belong to another AWS service and record
    # only what that service needs; a check can tell them apart by these two attributes.
    for name, key in (
        ("service_principal", "servicePrincipal"),
        ("recording_scope", "recordingScope"),
    ):
        if item.get(key):
            attributes[name] = item[key]
    if isinstance(statuses, Unknown):
        attributes["recording"] = statuses
        return attributes
    status = statuses.get(str(item.get("arn"))) or statuses.get(str(item.get("name")))
    if status is None:
        attributes["recording"] = Unknown(f"no recorder status returned for {item.get('name')}")
    else:
        attributes["recording"] = bool(status.get("recording"))
        if status.get("lastStatus"):
            attributes["last_status"] = status["lastStatus"]
    return attributes


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    response = raw.data.get("recorders")
    listed = response.get("ConfigurationRecorders") if isinstance(response, Mapping) else None
    if not listed or unknown_from(response) is not None:
        # The region itself: no recorder (or none could be listed) is what an auditor must see.
        unknown = unknown_from(response)
        yield Resource(
            type="aws_config_configuration_recorder",
            id=(
                f"arn:{partition_for(raw.region)}:config:{raw.region}:{raw.account}:"
                "configuration-recorder/(none)"
            ),
            source="aws",
            location=location,
            attributes={"name": None, "exists": unknown if unknown is not None else False},
            raw={"recorders": response},
        )
        return
    statuses = _statuses(raw.data.get("status"))
    for item in listed:
        # Older API versions return no ARN; this is the format AWS Config uses for recorders.
        arn = item.get("arn") or (
            f"arn:{partition_for(raw.region)}:config:{raw.region}:{raw.account}:"
            f"configuration-recorder/{item.get('name')}"
        )
        yield Resource(
            type="aws_config_configuration_recorder",
            id=str(arn),
            source="aws",
            location=location,
            attributes=_attributes(item, statuses),
            raw={"recorder": dict(item), "status": raw.data.get("status")},
        )


COLLECTOR = Collector(
    name="config",
    actions=("config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus"),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_config_configuration_recorder",),
)
