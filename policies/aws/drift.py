"""Drift between Terraform and live AWS: is what runs what went through review?

These checks judge `drift_comparison` resources, which `comply drift` builds by joining each
resource of a Terraform state to its live counterpart (docs/drift.md): `state` is `managed`
(joined), `deleted` (in state, absent live) or `unmanaged` (live, in no state).
"""

from __future__ import annotations

from scanner.core.model import Resource, Result
from scanner.core.registry import check


def _describe(drifted: list[dict[str, object]]) -> str:
    parts = [
        f"{item['attribute']} (declared {item['declared']!r}, live {item['live']!r})"
        for item in drifted
    ]
    return "; ".join(parts)


def _managed(record: Resource) -> bool:
    return record.attributes.get("state") == "managed"


@check(
    id="drift_resource_matches_configuration",
    title="Live resources match their reviewed Terraform configuration",
    severity="high",
    resource_types=["drift_comparison"],
    applies_to=_managed,
)
def drift_resource_matches_configuration(record: Resource) -> Result:
    """A change made outside Terraform (console, CLI, another tool) skipped the review the
    configuration went through: what runs is no longer what was approved, and the next apply
    may silently undo or be blocked by it.

    Compared: every attribute a check reads on the resource's type, declared value (the
    configuration, else the state) against the live value; unknown declared values are not drift.

    Remediation: bring the change into code (edit the `.tf`, review, apply) or revert it by
    running `terraform apply` on the reviewed configuration.
    """
    drifted = record.attributes.get("drifted") or []
    kind = record.attributes.get("resource_type")
    if drifted:
        return Result.failed(f"{kind} changed outside Terraform: {_describe(drifted)}")
    compared = record.attributes.get("compared") or []
    if not compared:
        return Result.unknown(f"no attribute of this {kind} could be compared")
    return Result.passed(f"{len(compared)} compared attribute(s) match the configuration")


@check(
    id="drift_resource_verdicts_match_configuration",
    title="Drift does not break a check the reviewed configuration passes",
    severity="critical",
    resource_types=["drift_comparison"],
    applies_to=_managed,
)
def drift_resource_verdicts_match_configuration(record: Resource) -> Result:
    """The reviewed configuration passes a control that the live resource fails: encryption
    declared but the live bucket unencrypted, an SSH rule added by hand. The review gave false
    assurance and the control is broken in production.

    Remediation: restore the reviewed configuration (`terraform apply`) at once, then find who
    changed it (CloudTrail) and why.
    """
    worsened = record.attributes.get("worsened_checks") or []
    if worsened:
        return Result.failed(
            "passes as declared, fails live: " + ", ".join(str(c) for c in worsened)
        )
    compared = record.attributes.get("compared") or []
    if not compared:
        return Result.unknown("no attribute a check reads could be compared")
    return Result.passed("every check passing as declared also passes live")


@check(
    id="drift_resource_managed_by_terraform",
    title="Live resources are managed by Terraform",
    severity="medium",
    resource_types=["drift_comparison"],
    applies_to=lambda record: record.attributes.get("state") in ("managed", "unmanaged"),
)
def drift_resource_managed_by_terraform(record: Resource) -> Result:
    """A resource created by hand ("ClickOps") never went through review, is not reproducible and
    is easily forgotten; its own checks show what state it is in.

    AWS-created resources (default VPCs and security groups, service-linked roles, aws/* keys)
    are left out by the shipped `drift.ignore` defaults.

    Remediation: import it (`terraform import` or an `import` block) and review it, delete it, or
    list it under `drift.ignore` in `.comply.yaml` with a reason.
    """
    kind = record.attributes.get("resource_type")
    if record.attributes.get("state") == "unmanaged":
        return Result.failed(f"{kind} {record.attributes.get('live_id')} is in no Terraform state")
    return Result.passed(f"managed by {record.attributes.get('state_file')}")


@check(
    id="drift_managed_resource_present_live",
    title="Resources in Terraform state still exist live",
    severity="high",
    resource_types=["drift_comparison"],
    applies_to=lambda record: record.attributes.get("state") in ("managed", "deleted"),
)
def drift_managed_resource_present_live(record: Resource) -> Result:
    """A resource in state but absent live was deleted out of band: whatever it provided (a log
    bucket, an encryption key, a firewall rule) is gone without review.

    Remediation: find the deletion in CloudTrail; recreate it with `terraform apply`, or remove it
    from the configuration through review.
    """
    if record.attributes.get("state") == "deleted":
        return Result.failed(
            f"{record.attributes.get('address')} ({record.attributes.get('live_id')}) is in "
            "state but absent live"
        )
    return Result.passed(f"present live as {record.attributes.get('live_id')}")
