"""GuardDuty detectors: whether threat detection is on in the region."""

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


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    guardduty = clients("guardduty", region)
    ids = recorder.paginate(guardduty, "list_detectors", "DetectorIds")
    listed = ids if isinstance(ids, list) else []
    detectors = fan_out_by_key(
        recorder, lambda i: recorder.call(guardduty, "get_detector", DetectorId=i), listed
    )
    return {"detector_ids": ids, "detectors": detectors}


def _attributes(response: Any) -> dict[str, Any]:
    unknown = unknown_from(response)
    if unknown is None and not isinstance(response, Mapping):
        unknown = Unknown("guardduty:GetDetector was not recorded for this detector")
    if unknown is not None:
        return {"enable": unknown}
    attributes: dict[str, Any] = {"enable": response.get("Status") == "ENABLED"}
    if response.get("FindingPublishingFrequency"):
        attributes["finding_publishing_frequency"] = response["FindingPublishingFrequency"]
    # Protection plans (S3, EKS, malware, RDS ...) as Terraform's aws_guardduty_detector_feature.
    features = [
        {"name": feature.get("Name"), "status": feature.get("Status")}
        for feature in response.get("Features") or []
    ]
    if features:
        attributes["features"] = features
    return attributes


def _region_without_detector(raw: RawService, listed: Any) -> Resource:
    """The region itself, when it has no detector (or the listing failed): the absence is what
    an auditor needs to see, and a check can only fail on a resource that exists."""
    unknown = unknown_from(listed)
    return Resource(
        type="aws_guardduty_detector",
        id=f"arn:{partition_for(raw.region)}:guardduty:{raw.region}:{raw.account}:detector/(none)",
        source="aws",
        location=Location(account=raw.account, region=raw.region),
        attributes={
            "detector_id": None,
            "exists": unknown if unknown is not None else False,
            "enable": unknown if unknown is not None else False,
        },
        raw={"detector_ids": listed},
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    ids = raw.data.get("detector_ids")
    detectors = raw.data.get("detectors") or {}
    if not isinstance(ids, list) or not ids:
        yield _region_without_detector(raw, ids)
        return
    for detector_id in ids if isinstance(ids, list) else []:
        response = detectors.get(detector_id)
        # GetDetector returns no ARN; this is the documented detector ARN format.
        arn = (
            f"arn:{partition_for(raw.region)}:guardduty:{raw.region}:{raw.account}:"
            f"detector/{detector_id}"
        )
        yield Resource(
            type="aws_guardduty_detector",
            id=arn,
            source="aws",
            location=location,
            attributes={"detector_id": detector_id, "exists": True, **_attributes(response)},
            raw=response,
        )


COLLECTOR = Collector(
    name="guardduty",
    actions=("guardduty:ListDetectors", "guardduty:GetDetector"),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_guardduty_detector",),
)
