"""RDS manual DB snapshots (`aws_db_snapshot`, live AWS only).

The RDS collector reads each manual snapshot's `restore` attribute
(DescribeDBSnapshotAttributes): `public` is true when it contains `all`. Terraform's
`aws_db_snapshot` has no such argument (sharing is done outside it), so this check judges only
resources collected from AWS.
"""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check


@check(
    id="rds_snapshot_not_public",
    title="RDS snapshots are not public",
    severity="critical",
    resource_types=["aws_db_snapshot"],
    references={"aws_config": ["rds-snapshots-public-prohibited"]},
    sources=["aws"],
)
def rds_snapshot_not_public(snapshot: Resource) -> Result:
    """A public snapshot can be restored by any AWS account in the world, which then reads the
    whole database, ePHI included, outside every access control of yours. An unencrypted snapshot
    is the only kind that can be made public, so nothing else stands in the way.

    Snapshots shared with named accounts are not public and pass; the accounts are listed in the
    message so the sharing can be reviewed.

    Remediation: remove `all` from the snapshot's restore attribute
    (`aws rds modify-db-snapshot-attribute --db-snapshot-identifier ID --attribute-name restore
    --values-to-remove all`), and share with named accounts only where needed.
    """
    name = snapshot.get("db_snapshot_identifier")
    public = snapshot.get("public")
    if is_unknown(public):
        return Result.unknown(f"who may restore {name} is unknown: {public.reason}")
    if public is None:
        return Result.unknown(f"the restore attribute of {name} was not returned")
    if snapshot.get_bool("public", True):
        return Result.failed(f"snapshot {name} is public: any AWS account may restore it")
    shared = snapshot.get("shared_accounts")
    if shared and not is_unknown(shared):
        return Result.passed(f"snapshot {name} is not public; shared with {', '.join(shared)}")
    return Result.passed(f"snapshot {name} is not public")
