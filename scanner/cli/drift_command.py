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
from typing import Any

import click

from scanner.cli.aws_commands import refuse_changed_since
from scanner.cli.common import fail
from scanner.cli.run_recording import file_scope
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


@click.command("drift")
@click.option(
    "--state",
    "states",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A Terraform state: terraform.tfstate (version 4) or `terraform show -json` output. "
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
@click.option("--profile", help="Live: a profile of ~/.aws/config (default: the credential chain).")
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
    states: tuple[Path, ...],
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
    if snapshot_file is not None and (profile or regions or role_arns or services):
        fail(
            "--snapshot compares with a saved snapshot: --profile, --region, --role-arn and "
            "--service are for a live comparison"
        )
    session = ScanSession.start(
        scanned=states[0], scope=file_scope("drift", [*states], None), **common
    )
    try:
        rules = ignore_rules(session.config.get("drift"), str(session.config.path or "defaults"))
    except IgnoreRuleError as exc:
        fail(str(exc))
    loaded_state = load_terraform_state(list(states))
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
