"""`comply scan terraform-plan PLAN.json`: judge what a Terraform plan will create or change.

`comply scan terraform FILE.json` hands a plan here too (see `looks_like_plan`), so that a user
who points the usual command at `terraform show -json` output gets a plan scan, not a parse error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NoReturn

import click

from scanner.cli.run_recording import file_scope
from scanner.cli.scan_session import ScanSession, scan_options
from scanner.core.provenance import repository_root

MIB = 1024 * 1024
PLAN_MAX_FILE_SIZE_MB = 200.0  # plans of large estates are big; json.loads needs ~10x in memory


def run_plan_scan(
    plan: Path, config_dir: Path | None, max_file_size_mb: float, jobs: int | None, **common: Any
) -> NoReturn:
    # Imported here so that `comply checks list` does not pay for the parser.
    from scanner.sources.terraform.plan import load_terraform_plan

    session = ScanSession.start(
        scanned=config_dir or plan,
        scope=file_scope("terraform-plan", [plan], config_dir or plan),
        **common,
    )
    root = config_dir if config_dir is not None else Path(os.path.abspath(plan)).parent
    loaded = load_terraform_plan(
        plan,
        config_dir=config_dir,
        max_file_size=int(max_file_size_mb * MIB),
        jobs=jobs,
        id_root=repository_root(root),  # ids as a configuration scan of the same folder gives
    )
    session.finish(source="terraform-plan", scanned=[str(plan)], root=root, loaded=loaded)


@click.command("terraform-plan")
@click.argument("plan", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--config-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The root module the plan was made from, to point findings at its files and lines "
    "[default: the plan's folder].",
)
@click.option(
    "--max-file-size",
    type=click.FloatRange(min=0.001),
    default=PLAN_MAX_FILE_SIZE_MB,
    show_default=True,
    help="A plan larger than this many MB is reported as an error instead of read.",
)
@click.option("--jobs", type=click.IntRange(min=1), help="Parser processes [default: CPU count].")
@scan_options
def scan_terraform_plan(
    plan: Path, config_dir: Path | None, max_file_size: float, jobs: int | None, **common: Any
) -> None:
    """Scan a Terraform plan in JSON (`terraform show -json plan.out > plan.json`).

    Judges the planned values of every resource the plan creates, updates or keeps; resources
    being destroyed are not judged. Values known only after apply are unknown.
    """
    run_plan_scan(plan, config_dir, max_file_size, jobs, **common)
