"""`comply scan ...`: the scan group, its Terraform and Kubernetes commands, and the registration
of the live AWS, snapshot and plan commands (each in its own module)."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from scanner.cli.aws_commands import scan_aws, scan_snapshot
from scanner.cli.common import fail
from scanner.cli.engine_options import chosen_engines, engine_option, start_engines
from scanner.cli.plan_command import PLAN_MAX_FILE_SIZE_MB, run_plan_scan, scan_terraform_plan
from scanner.cli.run_recording import file_scope
from scanner.cli.scan_session import ScanSession, require_inventory, scan_options


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "comply"


@click.group()
def scan() -> None:
    """Scan a source and report findings mapped to controls."""


@scan.command("terraform")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--var-file",
    "var_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A .tfvars file, applied after terraform.tfvars and *.auto.tfvars (repeatable).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where parsed files are cached by content hash [default: $XDG_CACHE_HOME/comply].",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
@click.option("--jobs", type=click.IntRange(min=1), help="Parser processes [default: CPU count].")
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Exit 0 when PATH holds nothing to check (by default that is an error, exit 2: a wrong "
    "path must not pass the gate).",
)
@click.option(
    "--max-file-size",
    type=click.FloatRange(min=0.001),
    default=10.0,
    show_default=True,
    help="Files larger than this many MB are reported as errors instead of parsed.",
)
@engine_option
@scan_options
def scan_terraform(
    path: Path,
    engines: tuple[str, ...],
    var_files: tuple[Path, ...],
    cache_dir: Path | None,
    no_cache: bool,
    jobs: int | None,
    max_file_size: float,
    allow_empty: bool,
    **common: Any,
) -> None:
    """Scan the Terraform configuration in PATH (a folder, or one .tf file).

    A plan in JSON (`terraform show -json plan.out`) is scanned as `comply scan terraform-plan`.
    """
    # Imported here so that `comply checks list` does not pay for the parser.
    from scanner.core.provenance import repository_root
    from scanner.sources.terraform import load_terraform
    from scanner.sources.terraform.plan_document import looks_like_plan

    if looks_like_plan(path):
        if engines:
            fail("--engine does not apply to a plan: second engines read the configuration")
        if var_files:
            fail("--var-file does not apply to a plan: its variables were set when it was made")
        given = click.get_current_context().get_parameter_source("max_file_size")
        limit = max_file_size if given == ParameterSource.COMMANDLINE else PLAN_MAX_FILE_SIZE_MB
        run_plan_scan(path, None, limit, jobs, **common)

    session = ScanSession.start(scanned=path, scope=file_scope("terraform", [path], path), **common)
    if not var_files:  # from the configuration file, unless given on the command line
        var_files = tuple(Path(p) for p in session.config.get("var_files", ()))
    root = path if path.is_dir() else path.parent
    # Started before comply loads, so that checkov runs while comply parses and evaluates.
    engine_runs = start_engines(
        chosen_engines(engines, session.config.get("engines")),
        path,
        "terraform",
        use_cache=not no_cache,
    )
    if engine_runs and jobs is None:
        # checkov is the longer of the two: leave it a core (on 2, comply parses in-process).
        jobs = max(1, (os.cpu_count() or 1) - 1)
    loaded = load_terraform(
        path,
        var_files=var_files,
        cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
        jobs=jobs,
        max_file_size=int(max_file_size * 1024 * 1024),
        # Ids relative to the repository: a baseline or waiver written from a scan of `infra/`
        # matches a scan of the whole repository, and the other way round.
        id_root=repository_root(root),
    )
    if not allow_empty:
        require_inventory(loaded, str(path), "Terraform")
    session.finish(
        source="terraform", scanned=[str(path)], root=root, loaded=loaded, engine_runs=engine_runs
    )


@scan.command("kubernetes")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True, path_type=Path)
)
@click.option(
    "--no-kustomize",
    is_flag=True,
    help="Scan the raw files of kustomization folders instead of rendering them with kubectl.",
)
@click.option(
    "--max-file-size",
    type=click.FloatRange(min=0.001),
    default=64.0,
    show_default=True,
    help="Files (and stdin) larger than this many MB are reported as errors instead of parsed.",
)
@click.option(
    "--helm-values",
    "helm_values",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A values file for every Helm chart rendered (with `helm`, when on PATH). Repeatable.",
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Exit 0 when PATHS hold nothing to check (by default that is an error, exit 2: a wrong "
    "path must not pass the gate).",
)
@engine_option
@scan_options
def scan_kubernetes(
    paths: tuple[Path, ...],
    engines: tuple[str, ...],
    no_kustomize: bool,
    max_file_size: float,
    helm_values: tuple[Path, ...],
    allow_empty: bool,
    **common: Any,
) -> None:
    """Scan the Kubernetes manifests in PATHS (files or folders; `-` reads stdin).

    Rendered Helm charts: `helm template charts/api | comply scan kubernetes -`.
    """
    from scanner.sources.kubernetes import load_kubernetes, scan_root

    files = [p for p in paths if str(p) != "-"]
    session = ScanSession.start(
        scanned=files[0] if files else None,
        scope=file_scope("kubernetes", paths, files[0] if files else None),
        **common,
    )
    second_engines = chosen_engines(engines, session.config.get("engines"))
    if second_engines and (len(paths) != 1 or not files):
        fail("--engine checkov scans one path (a folder or a file), not several or stdin")
    engine_runs = start_engines(second_engines, files[0], "kubernetes") if second_engines else []
    limit = int(max_file_size * 1024 * 1024)
    stdin_text = None
    if len(files) < len(paths):
        # One byte over the limit is enough to report "too large"; undecodable bytes survive as
        # surrogates so that the loader reports them with their line.
        stdin_text = sys.stdin.buffer.read(limit + 1).decode("utf-8", "surrogateescape")
    loaded = load_kubernetes(
        files,
        stdin_text=stdin_text,
        kustomize=not no_kustomize,
        max_file_size=limit,
        helm_values=helm_values,
    )
    # The inventory lives as long as the process: frozen, the cyclic garbage collector never
    # walks it again while checks and reports run (on 30,000 objects, 40% of the scan's CPU).
    gc.freeze()
    root = scan_root(files) if files else Path.cwd()
    if not allow_empty:
        require_inventory(loaded, " ".join(str(p) for p in paths), "Kubernetes")
    session.finish(
        source="kubernetes",
        scanned=[str(p) for p in paths],
        root=root,
        loaded=loaded,
        engine_runs=engine_runs,
    )


scan.add_command(scan_aws)
scan.add_command(scan_terraform_plan)
scan.add_command(scan_snapshot)
