"""The `comply` command line: parse arguments, call the library, print. Nothing else lives here."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, Protocol

import click

from scanner import __version__
from scanner.attestations import Attestation, AttestationError, load_attestations
from scanner.cli_common import F, fail, framework_dir_option, load_policies, policy_options
from scanner.controls import Catalog
from scanner.controls_commands import controls as controls_group
from scanner.model import Resource, ScanError, ScanWarning, Severity
from scanner.output_targets import OutputTarget, OutputTargetError, parse_output_targets
from scanner.registry import Registry
from scanner.results import EXIT_INCOMPLETE
from scanner.scan import ScanOptions, SelectionError, build_report, select_checks

SEVERITY_NAMES = [s.value for s in Severity]


class LoadedInventory(Protocol):
    resources: list[Resource]
    errors: list[ScanError]
    warnings: list[ScanWarning]
    files_scanned: int


@dataclass
class ScanSession:
    """What every `scan` command shares: options, policies, catalog, attestations, outputs."""

    started_at: datetime
    targets: list[OutputTarget]
    registry: Registry
    catalog: Catalog
    options: ScanOptions
    soft_fail: bool
    setup_warnings: list[ScanWarning]

    @classmethod
    def start(
        cls,
        *,
        outputs: tuple[str, ...],
        frameworks: tuple[str, ...],
        categories: tuple[str, ...],
        severity_threshold: str,
        soft_fail: bool,
        only_checks: tuple[str, ...],
        skip_checks: tuple[str, ...],
        policy_dirs: tuple[Path, ...],
        framework_dirs: tuple[Path, ...],
        attestations_path: Path | None,
    ) -> ScanSession:
        started_at = datetime.now(UTC)
        try:
            targets = parse_output_targets(outputs)
        except OutputTargetError as exc:
            fail(str(exc))
        registry, catalog = load_policies(policy_dirs, framework_dirs)
        attestations, warnings = _load_attestations(attestations_path, catalog)
        options = ScanOptions(
            frameworks=list(frameworks),
            categories=list(categories),
            severity_threshold=Severity(severity_threshold),
            only_checks=list(only_checks),
            skip_checks=list(skip_checks),
            attestations=attestations,
        )
        return cls(started_at, targets, registry, catalog, options, soft_fail, warnings)

    def finish(
        self, *, source: str, scanned: Sequence[str], root: Path, loaded: LoadedInventory
    ) -> NoReturn:
        """Evaluate, write every requested report, exit with the contract's code."""
        from scanner.report import render

        try:
            report = build_report(
                source=source,
                targets=list(scanned),
                root=str(root.resolve()),
                sarif_prefix=_relative_to_cwd(root),
                started_at=self.started_at,
                inventory=loaded.resources,
                load_errors=loaded.errors,
                load_warnings=[*self.setup_warnings, *loaded.warnings],
                files_scanned=loaded.files_scanned,
                registry=self.registry,
                catalog=self.catalog,
                options=self.options,
            )
        except SelectionError as exc:
            fail(str(exc))
        _emit(self.targets, lambda fmt, color: render(fmt, report, color=color))
        sys.exit(report.exit_code(soft_fail=self.soft_fail))


def _load_attestations(
    path: Path | None, catalog: Catalog
) -> tuple[list[Attestation], list[ScanWarning]]:
    if path is None:
        return [], []
    try:
        return load_attestations(path, catalog)
    except AttestationError as exc:
        fail(str(exc))


def _relative_to_cwd(folder: Path) -> str:
    """`folder` relative to the working directory, posix; empty when it is outside it."""
    try:
        relative = folder.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return ""
    return "" if relative == Path(".") else relative.as_posix()


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "comply"


def _scan_options(function: F) -> F:
    options = [
        click.option(
            "-o",
            "--output",
            "outputs",
            multiple=True,
            metavar="FORMAT[=PATH]",
            help="console, json, sarif or junit; to stdout, or to PATH. Repeatable. "
            "Default: console.",
        ),
        click.option(
            "--framework",
            "frameworks",
            multiple=True,
            help="Only run checks mapped to this framework (hipaa, soc2). Repeatable.",
        ),
        click.option(
            "--severity-threshold",
            type=click.Choice(SEVERITY_NAMES),
            default="info",
            show_default=True,
            help="Failures below this severity are reported but do not fail the run.",
        ),
        click.option(
            "--soft-fail",
            is_flag=True,
            help="Exit 0 even when checks fail (scan errors still exit 2).",
        ),
        click.option(
            "--category",
            "categories",
            multiple=True,
            help="Only SOC 2 controls of this category (security, availability, ...). Repeatable.",
        ),
        click.option(
            "--attestations",
            "attestations_path",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="attestations.yaml for the manual parts of controls.",
        ),
        framework_dir_option,
        click.option("--check", "only_checks", multiple=True, help="Run only this check id."),
        click.option("--skip-check", "skip_checks", multiple=True, help="Do not run this check."),
        policy_options,
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _emit(targets: Sequence[OutputTarget], render: Callable[[str, bool], str]) -> None:
    for target in targets:
        if target.path is None:
            color = (
                target.format == "console" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
            )
            click.echo(render(target.format, color), nl=False)
        else:
            try:
                target.path.parent.mkdir(parents=True, exist_ok=True)
                target.path.write_text(render(target.format, False), encoding="utf-8")
            except OSError as exc:
                fail(f"cannot write {target.format} report to {target.path}: {exc.strerror}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    "--max-file-size",
    type=click.FloatRange(min=0.001),
    default=10.0,
    show_default=True,
    help="Files larger than this many MB are reported as errors instead of parsed.",
)
@_scan_options
def scan_terraform(
    path: Path,
    var_files: tuple[Path, ...],
    cache_dir: Path | None,
    no_cache: bool,
    jobs: int | None,
    max_file_size: float,
    **common: Any,
) -> None:
    """Scan the Terraform configuration in PATH (a folder, or one .tf file)."""
    # Imported here so that `comply checks list` does not pay for the parser.
    from scanner.sources.terraform import load_terraform

    session = ScanSession.start(**common)
    loaded = load_terraform(
        path,
        var_files=var_files,
        cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
        jobs=jobs,
        max_file_size=int(max_file_size * 1024 * 1024),
    )
    root = path if path.is_dir() else path.parent
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
    default=10.0,
    show_default=True,
    help="Files (and stdin) larger than this many MB are reported as errors instead of parsed.",
)
@_scan_options
def scan_kubernetes(
    paths: tuple[Path, ...], no_kustomize: bool, max_file_size: float, **common: Any
) -> None:
    """Scan the Kubernetes manifests in PATHS (files or folders; `-` reads stdin).

    Rendered Helm charts: `helm template charts/api | comply scan kubernetes -`.
    """
    from scanner.sources.kubernetes import load_kubernetes, scan_root

    session = ScanSession.start(**common)
    limit = int(max_file_size * 1024 * 1024)
    files = [p for p in paths if str(p) != "-"]
    stdin_text = None
    if len(files) < len(paths):
        # One byte over the limit is enough to report "too large"; undecodable bytes survive as
        # surrogates so that the loader reports them with their line.
        stdin_text = sys.stdin.buffer.read(limit + 1).decode("utf-8", "surrogateescape")
    loaded = load_kubernetes(
        files, stdin_text=stdin_text, kustomize=not no_kustomize, max_file_size=limit
    )
    root = scan_root(files) if files else Path.cwd()
    session.finish(source="kubernetes", scanned=[str(p) for p in paths], root=root, loaded=loaded)


@cli.group()
def checks() -> None:
    """The checks comply runs."""


@checks.command("list")
@click.option(
    "--framework", "frameworks", multiple=True, help="Only checks mapped to this framework."
)
@click.option(
    "-o", "--output", "output_format", type=click.Choice(["table", "json"]), default="table"
)
@policy_options
def checks_list(
    frameworks: tuple[str, ...], output_format: str, policy_dirs: tuple[Path, ...]
) -> None:
    """List checks with severity, resource types and mapped controls."""
    from scanner.check_listing import check_rows, render_check_table

    registry, catalog = load_policies(policy_dirs)
    try:
        selected = select_checks(registry, catalog, ScanOptions(frameworks=list(frameworks)))
    except SelectionError as exc:
        fail(str(exc))
    rows = check_rows(selected, catalog, list(frameworks))
    if output_format == "json":
        click.echo(json.dumps({"checks": rows}, indent=2, ensure_ascii=False))
    else:
        click.echo(render_check_table(rows, color=sys.stdout.isatty()), nl=False)


cli.add_command(controls_group)


def main() -> None:
    try:
        cli.main(standalone_mode=True)
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
