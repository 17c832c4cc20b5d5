"""The `comply` command line: parse arguments, call the library, print. Nothing else lives here."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml
from click.core import ParameterSource

from scanner import __version__
from scanner.cli.aws_commands import aws_group, scan_aws, scan_snapshot
from scanner.cli.checks_commands import checks as checks_group
from scanner.cli.common import fail
from scanner.cli.controls_commands import controls as controls_group
from scanner.cli.errors import ComplyGroup
from scanner.cli.evidence_commands import evidence as evidence_group
from scanner.cli.plan_command import PLAN_MAX_FILE_SIZE_MB, run_plan_scan, scan_terraform_plan
from scanner.cli.scan_session import CONFIGURABLE, ScanSession, require_inventory, scan_options
from scanner.compliance.results import EXIT_INCOMPLETE
from scanner.core.provenance import repository_root
from scanner.premerge.baseline import BaselineError, baseline_from_report
from scanner.premerge.config import ConfigError, describe, find_config


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "comply"


@click.group("comply", cls=ComplyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="comply")
def cli() -> None:
    """comply: HIPAA and SOC 2 compliance checks for Terraform, Kubernetes and AWS."""


@cli.group()
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
@scan_options
def scan_terraform(
    path: Path,
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
    from scanner.sources.terraform import load_terraform
    from scanner.sources.terraform.plan_document import looks_like_plan

    if looks_like_plan(path):
        if var_files:
            fail("--var-file does not apply to a plan: its variables were set when it was made")
        given = click.get_current_context().get_parameter_source("max_file_size")
        limit = max_file_size if given == ParameterSource.COMMANDLINE else PLAN_MAX_FILE_SIZE_MB
        run_plan_scan(path, None, limit, jobs, **common)

    session = ScanSession.start(scanned=path, **common)
    if not var_files:  # from the configuration file, unless given on the command line
        var_files = tuple(Path(p) for p in session.config.get("var_files", ()))
    root = path if path.is_dir() else path.parent
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
    session.finish(source="terraform", scanned=[str(path)], root=root, loaded=loaded)


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
@scan_options
def scan_kubernetes(
    paths: tuple[Path, ...],
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
    session = ScanSession.start(scanned=files[0] if files else None, **common)
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
    root = scan_root(files) if files else Path.cwd()
    if not allow_empty:
        require_inventory(loaded, " ".join(str(p) for p in paths), "Kubernetes")
    session.finish(source="kubernetes", scanned=[str(p) for p in paths], root=root, loaded=loaded)


@cli.group()
def baseline() -> None:
    """Accept today's failures so that only new ones block."""


@baseline.command("create")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".comply-baseline.json"),
    show_default=True,
)
def baseline_create(report: Path, output: Path) -> None:
    """Write the failing findings of a JSON REPORT (from `-o json=REPORT`) as a baseline."""
    document = _or_fail_baseline(lambda: baseline_from_report(report, __version__))
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write baseline to {output}: {exc.strerror}")
    click.echo(f"wrote {len(document['failures'])} accepted failure(s) to {output}")


def _or_fail_baseline(build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return build()
    except BaselineError as exc:
        fail(str(exc))


# What a scan uses when neither the command line nor .comply.yaml says otherwise.
CONFIG_DEFAULTS: dict[str, Any] = {
    "frameworks": [],
    "categories": [],
    "severity_threshold": "info",
    "soft_fail": False,
    "checks": [],
    "skip_checks": [],
    "policies": [],
    "frameworks_dirs": [],
    "var_files": [],
    "outputs": ["console"],
    "attestations": None,
    "waivers": None,
    "baseline": None,
    "allow_inline_skips": True,
    "regions": None,  # None: the regions enabled in the account (ec2:DescribeRegions)
}
# The same defaults, as the scan commands' parameters (CLI name -> value).
SCAN_DEFAULTS: dict[str, Any] = {
    parameter: CONFIG_DEFAULTS[key] for parameter, key in CONFIGURABLE.items()
}


@cli.group()
def config() -> None:
    """The effective configuration (.comply.yaml and defaults)."""


@config.command("show")
@click.argument("path", type=click.Path(exists=True, path_type=Path), default=Path("."))
@click.option(
    "--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def config_show(path: Path, config_path: Path | None) -> None:
    """Print the configuration a scan of PATH would use (validated as the scan validates it)."""
    try:
        found = find_config(config_path, path)
    except ConfigError as exc:
        fail(str(exc))
    # The same set-up as a scan: policy and framework folders, attestations, waivers, outputs,
    # frameworks, check ids and the baseline; a setting the scan would reject exits 2 here too.
    session = ScanSession.start(
        scanned=path, config_path=config_path, changed_since=None, **SCAN_DEFAULTS
    )
    session.validate()
    missing = [str(p) for p in found.get("var_files", ()) if not Path(p).is_file()]
    if missing:
        fail(f"{found.path}: var_files: no such file: {', '.join(missing)}")
    effective = {**CONFIG_DEFAULTS, **found.values}
    click.echo(yaml.safe_dump(describe(found, effective), sort_keys=False), nl=False)


cli.add_command(checks_group)
cli.add_command(controls_group)
scan.add_command(scan_aws)
scan.add_command(scan_terraform_plan)
scan.add_command(scan_snapshot)
cli.add_command(aws_group)
cli.add_command(evidence_group)


def main() -> None:
    try:
        cli.main(prog_name="comply")
    except KeyboardInterrupt:
        click.echo("comply: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        # The last line of defence: a user must never see a traceback (set COMPLY_DEBUG to).
        if os.environ.get("COMPLY_DEBUG"):
            raise
        click.echo(f"comply: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("comply: rerun with COMPLY_DEBUG=1 and report the traceback", err=True)
        sys.exit(EXIT_INCOMPLETE)
