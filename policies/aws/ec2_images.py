"""EC2 disk images anyone may use: public EBS snapshots and public AMIs.

Both resources carry `public` (docs/resource-schema.md): live, from the snapshot's
createVolumePermission attribute or the image's `Public` flag; in Terraform, true when an
`aws_snapshot_create_volume_permission` / `aws_ami_launch_permission` shares it with `all`.
"""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check


def _judge_public(resource: Resource, what: str, verb: str) -> Result:
    name = resource.get("id") if resource.source == "aws" else resource.id
    public = resource.get("public")
    if is_unknown(public):
        return Result.unknown(f"whether {what} {name} is public is unknown: {public.reason}")
    if public is None:
        return Result.unknown(f"whether {what} {name} is public was not returned")
    if public is True:
        return Result.failed(f"{what} {name} is public: any AWS account may {verb} it")
    shared = resource.get("shared_accounts")
    if isinstance(shared, list) and shared:
        return Result.passed(f"{what} {name} is not public; shared with {', '.join(shared)}")
    return Result.passed(f"{what} {name} is not public")


@check(
    id="ec2_ebs_snapshot_not_public",
    title="EBS snapshots are not public",
    severity="critical",
    resource_types=["aws_ebs_snapshot", "aws_ebs_snapshot_copy"],
    references={"aws_config": ["ebs-snapshot-public-restorable-check"]},
)
def ec2_ebs_snapshot_not_public(snapshot: Resource) -> Result:
    """Any AWS account can create a volume from a public snapshot and read the whole disk, ePHI
    included, outside every access control of yours. Only unencrypted snapshots can be made
    public (AWS refuses the others), so nothing else stands in the way.

    Snapshots shared with named accounts are not public and pass; live, the accounts are listed
    in the message so the sharing can be reviewed.

    Remediation: remove the `all` group from the snapshot's createVolumePermission
    (`aws ec2 modify-snapshot-attribute --snapshot-id ID --attribute createVolumePermission
    --operation-type remove --group-names all`), share with named accounts only, and encrypt.
    """
    return _judge_public(snapshot, "snapshot", "create a volume from")


@check(
    id="ec2_ami_not_public",
    title="AMIs are not public",
    severity="high",
    resource_types=["aws_ami", "aws_ami_copy", "aws_ami_from_instance"],
)
def ec2_ami_not_public(image: Resource) -> Result:
    """A public AMI can be launched by any AWS account, which then reads its disks: application
    code, configuration, credentials left on the image and any ePHI baked into it.

    Remediation: remove the public launch permission (`aws ec2 modify-image-attribute --image-id
    ID --launch-permission "Remove=[{Group=all}]"`, or delete the `aws_ami_launch_permission`
    with `group = "all"`) and share with named accounts or your organization instead:

        resource "aws_ami_launch_permission" "shared" {
          image_id         = aws_ami.app.id
          organization_arn = data.aws_organizations_organization.current.arn
        }
    """
    return _judge_public(image, "AMI", "launch")
