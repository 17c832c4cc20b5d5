"""`comply baseline create` and `comply config show`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scanner import __version__
from scanner.cli.common import fail
from scanner.cli.scan_session import CONFIGURABLE, ScanSession
from scanner.core.atomic_files import write_atomic
from scanner.core.redaction import redact
from scanner.core.wording import plural
from scanner.premerge.baseline import BaselineError, baseline_from_report
from scanner.premerge.config import ConfigError, describe, find_config


@click.group()
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
        write_atomic(output, json.dumps(document, indent=2) + "\n")
    except OSError as exc:
        fail(f"cannot write baseline to {output}: {exc.strerror}")
    click.echo(f"wrote {plural(len(document['failures']), 'accepted failure')} to {output}")


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
    "store": None,
    "notify": [],
    "notify_unchanged": False,
}
# The same defaults, as the scan commands' parameters (CLI name -> value).
SCAN_DEFAULTS: dict[str, Any] = {
    parameter: CONFIG_DEFAULTS[key] for parameter, key in CONFIGURABLE.items()
}


@click.group()
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
    import yaml

    effective = {**CONFIG_DEFAULTS, **found.values}
    # Printed to CI logs: a webhook URL or a token in the configuration is redacted.
    shown = redact(describe(found, effective))
    click.echo(yaml.safe_dump(shown, sort_keys=False), nl=False)
