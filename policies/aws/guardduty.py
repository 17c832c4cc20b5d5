"""GuardDuty threat detection (`aws_guardduty_detector`, live AWS only).

The GuardDuty collector emits one resource per detector in each scanned region, with `enable`
from GetDetector's status, and for a region without any detector a resource that says so
(`exists: false`, id ending in `detector/(none)`), so the absence is judged too.
"""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check


@check(
    id="guardduty_detector_enabled",
    title="GuardDuty detectors are enabled",
    severity="high",
    resource_types=["aws_guardduty_detector"],
    references={"aws_config": ["guardduty-enabled-centralized"]},
    sources=["aws"],
)
def guardduty_detector_enabled(detector: Resource) -> Result:
    """GuardDuty reviews CloudTrail, VPC flow and DNS activity for signs of compromise (credential
    misuse, reconnaissance, crypto-mining, exfiltration) and raises findings someone can respond to:
    it is the automated part of reviewing information system activity and of detecting security
    incidents. A suspended detector analyses nothing and raises nothing.

    Every scanned region is judged: a region with no detector at all fails (its resource id ends
    in `detector/(none)`), and one whose detectors could not be listed is unknown. Enable GuardDuty
    in every region you use, or through the organization's delegated administrator.

    Remediation: enable the detector (`aws guardduty update-detector --detector-id ID --enable`),
    or in Terraform:

        resource "aws_guardduty_detector" "main" {
          enable = true
        }
    """
    region = detector.location.region
    exists = detector.get("exists", True)
    if is_unknown(exists):
        return Result.unknown(f"cannot tell whether {region} has a detector: {exists.reason}")
    if exists is False:
        return Result.failed(f"no GuardDuty detector in {region}: threat detection is off there")
    enable = detector.get("enable")
    detector_id = detector.get("detector_id")
    if is_unknown(enable):
        return Result.unknown(f"status of detector {detector_id} is unknown: {enable.reason}")
    if enable is None:
        return Result.unknown(f"GetDetector returned no status for detector {detector_id}")
    if detector.get_bool("enable", False):
        return Result.passed(f"detector {detector_id} is enabled in {region}")
    return Result.failed(f"detector {detector_id} in {region} is suspended")
