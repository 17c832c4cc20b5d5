"""What every `comply scan ...` command shares: options, configuration, policies, outputs, exit.

Order of precedence for a setting: the command line, then `.comply.yaml` (found from the scanned
path upwards, or `--config`), then the built-in default.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, Protocol

import click
from click.core import ParameterSource

from scanner.cli.common import F, fail, framework_dir_option, load_policies, policy_options
from scanner.cli.output_targets import OutputTarget, OutputTargetError, parse_output_targets
from scanner.cli.run_recording import RunRecorder, ScanScope
from scanner.cli.terminal import terminal_width
from scanner.compliance.assessment import (
    ScanOptions,
    SelectionError,
    build_report,
    select_checks,
)
from scanner.compliance.attestations import AttestationError, load_attestations
from scanner.compliance.catalog import Catalog
from scanner.compliance.results import EXIT_INCOMPLETE
from scanner.compliance.waivers import WaiverError, load_waivers
from scanner.core.atomic_files import atomic_text_output
from scanner.core.model import Resource, ScanError, ScanWarning, Severity
from scanner.core.provenance import command_line, repository_state
from scanner.core.registry import Registry
from scanner.core.wording import plural
from scanner.premerge.baseline import BaselineError, baseline_warnings, compare, load_baseline
from scanner.premerge.changes import ChangesError, changed_lines, touched_resources
from scanner.premerge.config import SEVERITY_NAMES, Config, ConfigError, find_config

# CLI parameter name -> .comply.yaml key, for the options every scan command has.
CONFIGURABLE = {
    "outputs": "outputs",
    "frameworks": "frameworks",
    "categories": "categories",
    "severity_threshold": "severity_threshold",
    "soft_fail": "soft_fail",
    "only_checks": "checks",
    "skip_checks": "skip_checks",
    "policy_dirs": "policies",
    "framework_dirs": "frameworks_dirs",
    "attestations_path": "attestations",
    "waivers_path": "waivers",
    "baseline_path": "baseline",
    "store_url": "store",
    "notify_values": "notify",
    "notify_unchanged": "notify_unchanged",
}


class LoadedInventory(Protocol):
    resources: list[Resource]
    errors: list[ScanError]
    warnings: list[ScanWarning]
    files_scanned: int


def relative_to_cwd(folder: Path) -> str:
    """`folder` relative to the working directory, posix; empty when it is outside it."""
    try:
        relative = folder.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return ""
    return "" if relative == Path(".") else relative.as_posix()


def effective_settings(config: Config, given: dict[str, Any]) -> dict[str, Any]:
    """Command-line values where the user gave them, else the config file's, else defaults."""
    context = click.get_current_context(silent=True)
    settings = dict(given)
    for parameter, key in CONFIGURABLE.items():
        source = context.get_parameter_source(parameter) if context else None
        from_command_line = source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
        if key in config.values and not from_command_line:
            settings[parameter] = config.values[key]
    return settings  # values from the file were validated when it was loaded


def _emit(targets: Sequence[OutputTarget], report: Any) -> None:
    from scanner.compliance.report_redaction import redacted_report
    from scanner.report import write

    report = redacted_report(report)  # once, for every format
    for target in targets:
        if target.path is None:
            color = (
                target.format == "console" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
            )
            write(target.format, report, sys.stdout, color=color, width=terminal_width())
            sys.stdout.flush()
        else:
            try:
                # A temporary file renamed into place: an interrupted or failed write leaves
                # the previous report whole.
                with atomic_text_output(target.path) as handle:
                    write(target.format, report, handle)
            except OSError as exc:
                fail(f"cannot write {target.format} report to {target.path}: {exc.strerror}")


def require_inventory(loaded: LoadedInventory, scanned: str, kind: str) -> None:
    """Nothing to judge is an error (exit 2), not a green scan: a mistyped path in CI would
    otherwise pass the gate. `--allow-empty` skips this for the rare intended case. When loading
    already failed, those errors say why and the scan exits 2 anyway."""
    if loaded.resources or loaded.errors:
        return
    if kind == "Kubernetes":
        found = "no Kubernetes objects"
    elif loaded.files_scanned == 0:
        found = "no Terraform files (.tf, .tf.json)"
    else:
        found = f"no Terraform resources in {plural(loaded.files_scanned, 'file')}"
    loaded.errors.append(
        ScanError(
            target=scanned,
            message=f"{found} found: nothing was checked. Check the path, or pass --allow-empty "
            "when an empty scan is intended",
        )
    )


def _or_fail(loader: Callable[[], Any], *errors: type[Exception]) -> Any:
    try:
        return loader()
    except errors as exc:
        fail(str(exc))


@dataclass
class ScanSession:
    started_at: datetime
    targets: list[OutputTarget]
    registry: Registry
    options: ScanOptions
    soft_fail: bool
    setup_warnings: list[ScanWarning]
    config: Config
    baseline_path: Path | None
    changed_since: str | None
    catalog: Catalog
    recorder: RunRecorder

    @classmethod
    def start(
        cls,
        *,
        scanned: Path | None,
        config_path: Path | None,
        changed_since: str | None,
        scope: ScanScope | None = None,
        run_id: str | None = None,
        **given: Any,
    ) -> ScanSession:
        """Set up a scan; with a `scope` and a store configured, announce the run too."""
        started_at = datetime.now(UTC)
        config = _or_fail(lambda: find_config(config_path, scanned), ConfigError)
        s = effective_settings(config, given)
        targets = _or_fail(lambda: parse_output_targets(s["outputs"]), OutputTargetError)
        registry, catalog = load_policies(
            [Path(p) for p in s["policy_dirs"]], [Path(p) for p in s["framework_dirs"]]
        )
        attestations, warnings = ([], [])
        if s["attestations_path"] is not None:
            attestations, warnings = _or_fail(
                lambda: load_attestations(
                    Path(s["attestations_path"]), catalog, s.get("evidence_root")
                ),
                AttestationError,
            )
        waivers = []
        if s["waivers_path"] is not None:
            waivers = _or_fail(lambda: load_waivers(Path(s["waivers_path"]), warnings), WaiverError)
        options = ScanOptions(
            frameworks=list(s["frameworks"]),
            categories=list(s["categories"]),
            severity_threshold=Severity(s["severity_threshold"]),
            only_checks=list(s["only_checks"]),
            skip_checks=list(s["skip_checks"]),
            attestations=attestations,
            waivers=waivers,
            allow_inline_skips=bool(config.get("allow_inline_skips", True)),
        )
        baseline = Path(s["baseline_path"]) if s["baseline_path"] is not None else None
        recorder = RunRecorder(
            store_value=s.get("store_url"),
            notify_values=list(s.get("notify_values") or ()),
            notify_unchanged=bool(s.get("notify_unchanged")),
            run_id=run_id,
        )
        if scope is not None:
            # Announced before reading the input, so that a scan dying midway leaves an
            # incomplete run behind, never nothing (or a clean-looking one).
            recorder.start(scope, started_at)
        return cls(
            started_at,
            targets,
            registry,
            options,
            bool(s["soft_fail"]),
            warnings,
            config,
            baseline,
            changed_since,
            catalog,
            recorder,
        )

    def validate(self) -> None:
        """Every check a scan makes before it reads its input: the selection of frameworks,
        categories and check ids, and the baseline file. Exits 2 with the scan's message."""
        try:
            select_checks(self.registry, self.catalog, self.options)
        except SelectionError as exc:
            fail(str(exc))
        if self.baseline_path is not None:
            path = self.baseline_path
            _or_fail(lambda: load_baseline(path), BaselineError)

    def finish(
        self,
        *,
        source: str,
        scanned: Sequence[str],
        root: Path,
        loaded: LoadedInventory,
        from_repository: bool = True,
        engine_runs: Sequence[Any] = (),
    ) -> NoReturn:
        """Evaluate, compare with the baseline and the diff, write every report, exit.

        `from_repository` is False for inputs that are not files of a repository (a live account,
        a snapshot): the working directory's git state says nothing about them.
        """
        try:
            report = build_report(
                source=source,
                targets=list(scanned),
                root=str(root.resolve()),
                sarif_prefix=relative_to_cwd(root),
                started_at=self.started_at,
                inventory=loaded.resources,
                load_errors=loaded.errors,
                load_warnings=[*self.setup_warnings, *loaded.warnings],
                files_scanned=loaded.files_scanned,
                files_skipped=getattr(loaded, "files_skipped", 0),
                skipped_inputs=getattr(loaded, "skipped", ()),
                registry=self.registry,
                catalog=self.catalog,
                options=self.options,
            )
        except SelectionError as exc:
            fail(str(exc))
        # Before waiting on a second engine, not after: while it runs, this costs no wall time
        # (the operator record imports the history package, ~0.5 s).
        report.context = {
            "arguments": command_line(),
            "operator": _operator(),
            **({"repository": repository_state(root)} if from_repository else {}),
            **getattr(loaded, "context", {}),
        }
        engines_run = {"comply"}
        for run in engine_runs:  # second engines (docs/engines.md), before baseline and diff
            if run.add_to(
                report, registry=self.registry, catalog=self.catalog, options=self.options
            ):
                engines_run.add(run.engine)
        if self.baseline_path is not None:
            path = self.baseline_path
            entries = _or_fail(lambda: load_baseline(path), BaselineError)
            report.baseline = compare(path, entries, report.findings, engines_run)
            report.warnings.extend(
                ScanWarning(str(path), message)
                for message in baseline_warnings(report.baseline, report.findings)
            )
        if self.changed_since is not None:
            ref = self.changed_since
            changed = _or_fail(lambda: changed_lines(root, ref), ChangesError)
            report.changed_since = ref
            report.changed_resource_ids = touched_resources(loaded.resources, changed)
        _emit(self.targets, report)
        self.recorder.finish(report)
        for warning in self.recorder.warnings:
            click.echo(f"comply: warning: {warning}", err=True)
        if self.recorder.errors:
            for error in self.recorder.errors:
                click.echo(f"comply: error: {error}", err=True)
            sys.exit(EXIT_INCOMPLETE)  # the reports are written; the run is not (fully) stored
        sys.exit(report.exit_code(soft_fail=self.soft_fail))


def _operator() -> dict[str, str | None]:
    """Who ran the scan (user, host, CI run URL): carried into evidence bundles."""
    from scanner.history.operator import operator_record

    return operator_record()


def scan_options(function: F) -> F:
    """The options every `scan` command takes."""
    path = click.Path(exists=True, dir_okay=False, path_type=Path)
    options = [
        click.option(
            "-o",
            "--output",
            "outputs",
            multiple=True,
            metavar="FORMAT[=PATH]",
            help="console, json, sarif, junit, markdown, github or gitlab; to stdout, or to "
            "PATH. Repeatable. Default: console.",
        ),
        click.option(
            "--framework",
            "frameworks",
            multiple=True,
            help="Only run checks mapped to this framework (hipaa, soc2). Repeatable.",
        ),
        click.option(
            "--category",
            "categories",
            multiple=True,
            help="Only SOC 2 controls of this category (security, availability, ...). Repeatable.",
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
            "--check",
            "only_checks",
            multiple=True,
            metavar="CHECK_ID",
            help="Run only this check (repeatable: --check a --check b runs both).",
        ),
        click.option(
            "--skip-check",
            "skip_checks",
            multiple=True,
            metavar="CHECK_ID",
            help="Do not run this check (repeatable).",
        ),
        policy_options,
        framework_dir_option,
        click.option(
            "--attestations",
            "attestations_path",
            type=path,
            help="attestations.yaml for the manual parts of controls.",
        ),
        click.option(
            "--evidence-root",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="Attestation evidence files must be inside this folder "
            "[default: the attestations file's folder].",
        ),
        click.option(
            "--waivers",
            "waivers_path",
            type=path,
            help="waivers.yaml: reviewed, expiring risk acceptances.",
        ),
        click.option(
            "--baseline",
            "baseline_path",
            type=path,
            help="A baseline (comply baseline create): only failures not in it block.",
        ),
        click.option(
            "--changed-since",
            metavar="GIT_REF",
            help="Only failures on resources whose blocks changed since GIT_REF block.",
        ),
        click.option(
            "--config",
            "config_path",
            type=path,
            help="Configuration file [default: the nearest .comply.yaml above the scanned path].",
        ),
        click.option(
            "--store",
            "store_url",
            is_flag=False,
            flag_value="default",
            default=None,
            envvar="COMPLY_STORE",
            metavar="[URL]",
            help="Record the run in the history store: sqlite:///PATH, a file, or "
            "postgresql://...; alone: $XDG_DATA_HOME/comply/history.db. Env: COMPLY_STORE.",
        ),
        click.option(
            "--run-id",
            metavar="ID",
            help="Store under this run id (shards of one run share it) [default: a new id].",
        ),
        click.option(
            "--notify",
            "notify_values",
            multiple=True,
            envvar="COMPLY_NOTIFY",
            metavar="slack=URL|webhook=URL",
            help="After storing, post what changed since the previous run (URL or "
            "env:VARIABLE). Repeatable. Needs --store.",
        ),
        click.option(
            "--notify-unchanged",
            is_flag=True,
            help="Also notify when nothing changed since the previous run.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function
