"""`comply scan aws`, `comply scan snapshot` and `comply aws permissions`.

Registered by scanner/cli.py (`scan.add_command(scan_aws)`, `scan.add_command(scan_snapshot)`,
`cli.add_command(aws_group)`). boto3 and the collectors are imported inside the commands, so
`comply --help` and `comply checks list` do not pay for them.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from scanner.cli.common import fail
from scanner.cli.run_recording import ScanScope, file_scope
from scanner.cli.scan_session import ScanSession, scan_options


def refuse_changed_since(common: dict[str, Any]) -> None:
    """Live resources have no blocks in a diff: with --changed-since every failure would turn
    non-blocking and the scan would exit 0. Refused, not silently ignored."""
    if common.get("changed_since") is not None:
        fail(
            "--changed-since applies to scans of files (terraform, kubernetes): live AWS "
            "resources and snapshots have no lines in a git diff, so every failure would stop "
            "blocking; run without it"
        )


def _progress_wanted() -> bool:
    # A bar only for a person watching: never in CI logs or when stderr is piped.
    return sys.stderr.isatty() and not os.environ.get("CI")


def aws_scope_targets(
    profile: str | None,
    regions: tuple[str, ...],
    role_arns: tuple[str, ...],
    services: tuple[str, ...],
    organization_role: str | None = None,
) -> list[str]:
    """The history scope of a live scan: what was asked for, which is stable night to night
    (the regions an account has enabled, the organization's accounts, are found during it)."""
    targets = [f"profile={profile}"] if profile else []
    if organization_role is not None:
        targets.append(f"organization role={organization_role}")
    targets += [f"role={arn}" for arn in sorted(role_arns)]
    targets.append("regions=" + (",".join(sorted(regions)) if regions else "all"))
    targets.append("services=" + (",".join(sorted(services)) if services else "all"))
    return targets


@click.command("aws")
@click.option("--profile", help="A profile of ~/.aws/config (default: the credential chain).")
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="Scan this region (repeatable) [default: the regions of .comply.yaml, else every "
    "region enabled in the account].",
)
@click.option(
    "--role-arn",
    "role_arns",
    multiple=True,
    help="Assume this role and scan its account (repeatable: one account per role).",
)
@click.option(
    "--service",
    "services",
    multiple=True,
    help="Collect only this service (s3, ec2, iam, rds, ...). Repeatable [default: all].",
)
@click.option(
    "--save-snapshot",
    "snapshot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save what was collected as a gzipped JSON snapshot (comply scan snapshot FILE).",
)
@click.option(
    "--max-workers",
    type=click.IntRange(1, 64),
    default=16,
    show_default=True,
    help="Concurrent API calls (regions x services, and per-resource calls).",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=1),
    default=3600,
    show_default=True,
    help="Seconds after which no more AWS request is sent: the calls left are collection "
    "errors (exit 2), so a stalled endpoint cannot hold a nightly scan for hours.",
)
@click.option(
    "--organization",
    is_flag=True,
    help="Scan every active account of the AWS Organization (organizations:ListAccounts, from "
    "the management or a delegated-admin account) through --role-name in each.",
)
@click.option(
    "--role-name",
    default="ComplyAudit",
    show_default=True,
    help="With --organization: the role to assume in each account.",
)
@click.option(
    "--shard",
    "shard_text",
    metavar="I/N",
    help="Scan only shard I (from 0) of N of the accounts x regions; shards of one run share "
    "--run-id and --store, and the run is complete when all N have reported.",
)
@scan_options
def scan_aws(
    profile: str | None,
    regions: tuple[str, ...],
    role_arns: tuple[str, ...],
    services: tuple[str, ...],
    snapshot_path: Path | None,
    max_workers: int,
    deadline: float,
    organization: bool,
    role_name: str,
    shard_text: str | None,
    **common: Any,
) -> None:
    """Scan live AWS accounts read-only (default credentials, every enabled region)."""
    from scanner.sources.aws import LoadedAws, collect_aws, normalize_collection, save_snapshot
    from scanner.sources.aws.collectors import select_collectors
    from scanner.sources.aws.inventory import collection_context
    from scanner.sources.aws.sharding import Shard, ShardError

    refuse_changed_since(common)
    try:
        shard = Shard.parse(shard_text) if shard_text is not None else None
    except ShardError as exc:
        fail(str(exc))
    # No path is scanned: .comply.yaml is looked up from the working directory.
    session = ScanSession.start(scanned=Path.cwd(), **common)
    if not regions:  # .comply.yaml `regions`, else every region enabled in the account
        regions = tuple(session.config.get("regions", ()))
    # The run is announced once the scope is known (the regions may come from .comply.yaml).
    scope = ScanScope(
        "aws",
        aws_scope_targets(
            profile, regions, role_arns, services, role_name if organization else None
        ),
        shard_index=shard.index if shard else 0,
        shard_total=shard.total if shard else 1,
    )
    session.recorder.start(scope, session.started_at)
    try:
        select_collectors(list(services))
    except KeyError as exc:
        fail(str(exc.args[0]))
    with _progress() as progress:
        collection = collect_aws(
            profile=profile,
            regions=regions,
            role_arns=role_arns,
            services=services or None,
            max_workers=max_workers,
            progress=progress,
            deadline=deadline,
            shard=shard,
            organization_role=role_name if organization else None,
        )
    if snapshot_path is not None:
        try:
            save_snapshot(collection, snapshot_path)
        except OSError as exc:
            fail(f"cannot write snapshot to {snapshot_path}: {exc.strerror}")
    errors = collection.scan_errors()
    resources = normalize_collection(collection.raw_services, errors)
    scanned = [f"{a.account}/{region}" for a in collection.accounts for region in a.regions]
    session.finish(
        source="aws",
        scanned=scanned,
        root=Path.cwd(),
        loaded=LoadedAws(
            resources=resources, errors=errors, context=collection_context(collection)
        ),
        from_repository=False,
    )


@click.command("snapshot")
@click.argument("snapshot_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@scan_options
def scan_snapshot(snapshot_file: Path, **common: Any) -> None:
    """Evaluate a snapshot saved by `comply scan aws --save-snapshot`, offline."""
    from scanner.sources.aws import LoadedAws, SnapshotError, load_snapshot, normalize_collection
    from scanner.sources.aws.inventory import collection_context

    refuse_changed_since(common)
    session = ScanSession.start(
        scanned=snapshot_file, scope=file_scope("snapshot", [snapshot_file], None), **common
    )
    try:
        snapshot = load_snapshot(snapshot_file)
    except SnapshotError as exc:
        fail(str(exc))
    errors = snapshot.scan_errors()
    resources = normalize_collection(snapshot.raw_services, errors)
    session.finish(
        source="snapshot",
        scanned=[str(snapshot_file)],
        root=Path.cwd(),
        loaded=LoadedAws(
            resources=resources,
            errors=errors,
            context={**collection_context(snapshot), "snapshot": str(snapshot_file)},
        ),
        from_repository=False,
    )


@click.group("aws")
def aws_group() -> None:
    """Live AWS helpers."""


@aws_group.command("permissions")
@click.option(
    "--service",
    "services",
    multiple=True,
    help="Only the actions of this collector (repeatable) [default: all].",
)
@click.option(
    "--organization",
    is_flag=True,
    help="Print instead the extra policy of the principal running `scan aws --organization` "
    "(list the accounts, assume --role-name in each).",
)
@click.option("--role-name", default="ComplyAudit", show_default=True)
@click.option(
    "--drift",
    "drift_states",
    multiple=True,
    metavar="BUCKET[/KEY]",
    help="Add what `comply drift --state s3://BUCKET/KEY` needs to read its Terraform state: "
    "s3:GetObject on the state object, or on every object of BUCKET (and kms:Decrypt through S3, "
    "for a state bucket encrypted with a KMS key). Repeatable, one per state.",
)
def aws_permissions(
    services: tuple[str, ...], organization: bool, role_name: str, drift_states: tuple[str, ...]
) -> None:
    """Print the minimal read-only IAM policy (JSON) a scan needs."""
    from scanner.sources.aws.collectors import select_collectors
    from scanner.sources.aws.organization import organization_policy
    from scanner.sources.aws.permissions import permissions_policy

    if organization:
        click.echo(json.dumps(organization_policy(role_name), indent=2))
        return
    try:
        collectors = select_collectors(list(services))
        policy = permissions_policy(collectors)
    except (KeyError, ValueError) as exc:
        fail(str(exc.args[0]))
    if drift_states:
        policy["Statement"].extend(_drift_state_statements(drift_states))
    click.echo(json.dumps(policy, indent=2))


def _drift_state_statements(locations: tuple[str, ...]) -> list[dict[str, Any]]:
    """Read-only access to Terraform state objects: GetObject only (no List, no Put), and
    kms:Decrypt only through S3, for a state bucket encrypted with a KMS key."""
    resources = []
    for location in locations:
        bucket, _, key = location.removeprefix("s3://").partition("/")
        if not bucket or any(c in bucket for c in "*?"):
            fail(f"--drift wants the state bucket (BUCKET or BUCKET/KEY), not {location!r}")
        resources.append(f"arn:aws:s3:::{bucket}/{key or '*'}")
    return [
        {
            "Sid": "ComplyDriftReadsTerraformState",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": resources,
        },
        {
            "Sid": "ComplyDriftDecryptsTerraformStateThroughS3",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": "*",
            "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
        },
    ]


class _progress:
    """A rich progress bar on stderr for people, nothing for CI; yields the callback or None."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if not _progress_wanted():
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._bar = Progress(
            TextColumn("collecting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("", total=None)

        def update(done: int, total: int, what: str) -> None:
            self._bar.update(self._task, completed=done, total=total, description=what)

        return update

    def __exit__(self, *_exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
