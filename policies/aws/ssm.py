"""Systems Manager: patch compliance of running EC2 instances (and the helpers that
`ec2_instance_managed_by_ssm`, in policies/aws/ec2_ssm.py, shares).

Live only: which instances run a registered SSM agent, and what their last patch scan found,
exist only in the account (DescribeInstanceInformation, ListResourceComplianceSummaries); a
Terraform configuration cannot say either. Both checks judge running instances (a stopped
instance's agent cannot report) against the `aws_ssm_managed_instances` resource of the
instance's own account and region.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check

INVENTORY = "aws_ssm_managed_instances"


def running(instance: Resource) -> bool:
    return bool(instance.get("instance_state") == "running")


def by_place(resources: Sequence[Resource]) -> dict[tuple[Any, Any], Resource]:
    return {(r.location.account, r.location.region): r for r in resources if r.type == INVENTORY}


def ssm_entry(
    instance: Resource, places: Mapping[tuple[Any, Any], Resource], attribute: str
) -> tuple[Any, Result | None]:
    """The instance's entry of the region's SSM listing, or the unknown result when the listing
    is missing or failed."""
    inventory = places.get((instance.location.account, instance.location.region))
    if inventory is None:
        return None, Result.unknown("the region's SSM data was not collected (service ssm)")
    listing = inventory.get(attribute)
    if is_unknown(listing):
        return None, Result.unknown(f"the region's SSM data could not be read: {listing}")
    if not isinstance(listing, Mapping):
        return None, Result.unknown(f"the region's SSM {attribute} are not readable")
    return listing.get(str(instance.get("id"))), None


@check(
    id="ssm_instance_patch_compliant",
    title="Running EC2 instances are compliant with their SSM patch baseline",
    severity="high",
    resource_types=["aws_instance"],
    context_types=[INVENTORY],
    scope="inventory",
    sources=["aws"],
    applies_to=running,
    references={"aws_config": ["ec2-managedinstance-patch-compliance-status-check"]},
)
def ssm_instance_patch_compliant(
    resources: Sequence[Resource],
) -> Iterator[tuple[Resource, Result]]:
    """Missing security patches on a host that processes ePHI are the vulnerabilities a risk
    analysis must treat; Patch Manager's last scan of each instance against its patch baseline
    says whether any are missing.

    Live only (ListResourceComplianceSummaries, compliance type `Patch`). Judged: running
    instances. `COMPLIANT` passes, `NON_COMPLIANT` fails (with the count of missing or failed
    patches). An instance without patch data (not managed by SSM, or never scanned) is unknown,
    never a pass: see `ec2_instance_managed_by_ssm` for the first case.

    Remediation: run a Patch Manager scan-and-install (a patch policy of Quick Setup, or a
    maintenance window running `AWS-RunPatchBaseline`) on every instance, and install what it
    reports missing.
    """
    places = by_place(resources)
    for instance in resources:
        if instance.type != "aws_instance":
            continue
        entry, unknown = ssm_entry(instance, places, "patch_compliance")
        if unknown is not None:
            yield instance, unknown
        elif entry is None:
            yield (
                instance,
                Result.unknown("no patch compliance data (not managed by SSM, or never scanned)"),
            )
        elif entry.get("status") == "COMPLIANT":
            yield instance, Result.passed("compliant with its patch baseline")
        elif entry.get("status") == "NON_COMPLIANT":
            count = entry.get("non_compliant_count")
            missing = f" ({count} patches missing or failed)" if count is not None else ""
            yield instance, Result.failed(f"not compliant with its patch baseline{missing}")
        else:
            yield instance, Result.unknown(f"patch compliance status is {entry.get('status')}")
