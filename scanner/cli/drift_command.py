"""`comply drift`: join Terraform state to live AWS (or a snapshot) and report drift, unmanaged and
deleted resources as findings (docs/drift.md).

The inventory judged is the live one plus one `drift_comparison` resource per joined, deleted or
unmanaged resource, so every live resource gets its own check results and the drift checks add
theirs; reports, baselines, waivers, the store and evidence treat them as any finding.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scanner.cli.aws_commands import refuse_changed_since
from scanner.cli.common import fail
from scanner.cli.run_recording import ScanScope
from scanner.cli.scan_session import ScanSession, scan_options
from scanner.core.model import Resource, ScanError, ScanWarning


@dataclass
class LoadedDrift:
    resources: list[Resource]
    errors: list[ScanError]
    warnings: list[ScanWarning] = field(default_factory=list)
    files_scanned: int = 0
    context: dict[str, Any] = field(default_factory=dict)


def _declared(config_dir: Path | None) -> dict[str, Resource] | None:
    if config_dir is None:
        return None
    from scanner.sources.terraform import load_terraform

    loaded = load_terraform(config_dir)
    if loaded.errors:
        first = loaded.errors[0]
        fail(f"{first.target}: {first.message} (the configuration must load to compare with it)")
    return {resource.id: resource for resource in loaded.resources}


if TYPE_CHECKING:  # generic from click 8.2 on; pyproject allows 8.1, where it is not
    _ParamType = click.ParamType[Path | str]
else:
    _ParamType = click.ParamType


class _StateParam(_ParamType):
    """A local state file (it must exist) or an `s3://BUCKET/KEY` URL, kept as given."""

    name = "state"
    _file = click.Path(exists=True, dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: Any, ctx: Any) -> Path | str:
        if isinstance(value, str) and value.startswith("s3://"):
            return value
        converted: Path = self._file.convert(value, param, ctx)
        return converted


def _fetch(states: tuple[Path | str, ...], profile: str | None) -> list[Any]:
    """Local paths as they are; each s3:// state read with s3:GetObject (errors: exit 2)."""
    from scanner.sources.aws.s3_object import S3ObjectError, read_s3_object
    from scanner.sources.terraform.state import DEFAULT_MAX_STATE_SIZE, FetchedState

    fetched: list[Any] = []
    problems: list[str] = []
    for state in states:
        if isinstance(state, Path):
            fetched.append(state)
            continue
        try:
            data = read_s3_object(state, profile=profile, max_size=DEFAULT_MAX_STATE_SIZE)
        except S3ObjectError as exc:
            problems.append(str(exc))
            continue
        fetched.append(FetchedState(state, data))
    for problem in problems:
        click.echo(f"comply: error: {problem}", err=True)
    if problems:
        fail(f"{len(problems)} state(s) could not be read from S3; nothing compared")
    return fetched


@click.command("drift")
@click.option(
    "--state",
    "states",
    multiple=True,
    required=True,
    type=_StateParam(),
    metavar="FILE|s3://BUCKET/KEY",
    help="A Terraform state: terraform.tfstate (version 4) or `terraform show -json` output, "
    "a local file or s3://BUCKET/KEY (read with s3:GetObject, --profile's credentials). "
    "Repeatable, one per stack.",
)
@click.option(
    "--config-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The Terraform configuration the state was applied from: declared values are read "
    "from it (by address) instead of from the state.",
)
@click.option(
    "--snapshot",
    "snapshot_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Compare with a snapshot (comply scan aws --save-snapshot) instead of the live account.",
)
@click.option(
    "--profile",
    help="A profile of ~/.aws/config for the live scan and for s3:// states (default: the "
    "credential chain).",
)
@click.option("--region", "regions", multiple=True, help="Live: scan this region (repeatable).")
@click.option("--role-arn", "role_arns", multiple=True, help="Live: assume this role (repeatable).")
@click.option(
    "--service",
    "services",
    multiple=True,
    help="Live: collect only this service (repeatable); other types are not compared.",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=1),
    default=3600,
    show_default=True,
    help="Live: seconds after which no more AWS request is sent.",
)
@scan_options
def drift(
    states: tuple[Path | str, ...],
    config_dir: Path | None,
    snapshot_file: Path | None,
    profile: str | None,
    regions: tuple[str, ...],
    role_arns: tuple[str, ...],
    services: tuple[str, ...],
    deadline: float,
    **common: Any,
) -> None:
    """Report drift between Terraform state and live AWS, unmanaged and deleted resources."""
    from scanner.drift.analysis import analyse_drift
    from scanner.drift.ignore import IgnoreRuleError, ignore_rules
    from scanner.drift.live import LiveSide
    from scanner.sources.aws import SnapshotError, collect_aws, load_snapshot
    from scanner.sources.aws.inventory import collection_context
    from scanner.sources.terraform.state import load_terraform_state

    refuse_changed_since(common)
    from_s3 = any(isinstance(state, str) for state in states)
    if snapshot_file is not None and (
        (profile and not from_s3) or regions or role_arns or services
    ):
        fail(
            "--snapshot compares with a saved snapshot: --profile (but to read an s3:// state), "
            "--region, --role-arn and --service are for a live comparison"
        )
    local = [state for state in states if isinstance(state, Path)]
    session = ScanSession.start(
        scanned=local[0] if local else None,
        scope=ScanScope("drift", [s if isinstance(s, str) else s.as_posix() for s in states], None),
        **common,
    )
    try:
        rules = ignore_rules(session.config.get("drift"), str(session.config.path or "defaults"))
    except IgnoreRuleError as exc:
        fail(str(exc))
    loaded_state = load_terraform_state(_fetch(states, profile))
    if loaded_state.errors:
        # A stack that cannot be read would make all of its resources look unmanaged.
        for error in loaded_state.errors:
            click.echo(f"comply: error: {error.target}: {error.message}", err=True)
        fail(f"{len(loaded_state.errors)} state file(s) could not be read; nothing compared")
    declared = _declared(config_dir)
    if snapshot_file is not None:
        try:
            collection: Any = load_snapshot(snapshot_file)
        except SnapshotError as exc:
            fail(str(exc))
        context = {**collection_context(collection), "snapshot": str(snapshot_file)}
    else:
        if not regions:
            regions = tuple(session.config.get("regions", ()))
        collection = collect_aws(
            profile=profile,
            regions=regions,
            role_arns=role_arns,
            services=services or None,
            deadline=deadline,
        )
        context = collection_context(collection)
    live = LiveSide.from_collection(collection)
    # State and inventory live as long as the process: frozen, the cyclic garbage collector never
    # walks them again while the comparison, the checks and the reports run (as scan does).
    gc.freeze()
    analysis = analyse_drift(
        loaded_state.managed,
        live.resources,
        declared=declared,
        specs=list(session.registry),
        collected_types=live.collected_types,
        accounts=live.accounts,
        regions=live.regions,
        ignore=rules,
    )
    context["drift"] = {"states": loaded_state.documents, **analysis.summary}
    session.finish(
        source="drift",
        scanned=[str(p) for p in states] + ([str(snapshot_file)] if snapshot_file else []),
        root=Path.cwd(),
        loaded=LoadedDrift(
            resources=[*live.resources, *analysis.records],
            errors=live.errors,
            warnings=loaded_state.warnings,
            files_scanned=loaded_state.files_scanned,
            context=context,
        ),
        from_repository=False,
    )
