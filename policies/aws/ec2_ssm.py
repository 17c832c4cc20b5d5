"""EC2 instances managed by AWS Systems Manager (live only; see policies/aws/ssm.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from policies.aws.ssm import INVENTORY, by_place, running, ssm_entry
from scanner.core.model import Resource, Result
from scanner.core.registry import check


@check(
    id="ec2_instance_managed_by_ssm",
    title="Running EC2 instances are managed by AWS Systems Manager",
    severity="medium",
    resource_types=["aws_instance"],
    context_types=[INVENTORY],
    scope="inventory",
    sources=["aws"],
    applies_to=running,
    references={"aws_config": ["ec2-instance-managed-by-systems-manager"]},
)
def ec2_instance_managed_by_ssm(
    resources: Sequence[Resource],
) -> Iterator[tuple[Resource, Result]]:
    """An instance the SSM agent manages can be patched, inventoried and reached for
    administration without an open SSH or RDP port; one outside it is patched, if at all, by
    hand, and drops out of the patch compliance evidence.

    Live only (DescribeInstanceInformation; Terraform cannot say whether an agent registered).
    Judged: running instances. Passes when the instance is listed with ping status `Online`;
    fails when it is not listed, or listed with `ConnectionLost` or `Inactive` (the agent has
    stopped reporting). A refused call makes every running instance of the region unknown.

    Remediation: give the instance a role with the `AmazonSSMManagedInstanceCore` policy (or
    turn on Default Host Management Configuration) and run the SSM agent:

        resource "aws_iam_role_policy_attachment" "ssm" {
          role       = aws_iam_role.app.name
          policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
        }
    """
    places = by_place(resources)
    for instance in resources:
        if instance.type != "aws_instance":
            continue
        entry, unknown = ssm_entry(instance, places, "managed_instances")
        if unknown is not None:
            yield instance, unknown
        elif entry is None:
            yield instance, Result.failed("not managed by SSM: no registered SSM agent")
        elif entry.get("ping_status") == "Online":
            yield instance, Result.passed("managed by SSM (agent online)")
        else:
            yield (
                instance,
                Result.failed(f"registered with SSM but the agent is {entry.get('ping_status')}"),
            )
