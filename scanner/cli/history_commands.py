"""`comply history runs | diff | show`: read the scan history store.

The store is `--store URL`, else $COMPLY_STORE, else `store:` of the .comply.yaml found from the
working directory, else the default SQLite file ($XDG_DATA_HOME/comply/history.db).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from scanner.cli.common import F, fail
from scanner.core.atomic_files import write_atomic

T = TypeVar("T")
FORMATS = ("console", "json", "markdown")


def _store_options(function: F) -> F:
    function = click.option(
        "-o",
        "--output",
        "output",
        default="console",
        metavar="FORMAT[=PATH]",
        help="console, json or markdown; to stdout, or to PATH. Default: console.",
    )(function)
    return click.option(
        "--store",
        "store_url",
        envvar="COMPLY_STORE",
        metavar="URL",
        help="sqlite:///PATH, a file, or postgresql://... [default: `store:` of .comply.yaml, "
        "else $XDG_DATA_HOME/comply/history.db]. Env: COMPLY_STORE.",
    )(function)


def _store_value(given: str | None) -> str:
    if given:
        return given
    from scanner.premerge.config import ConfigError, find_config

    try:
        config = find_config(None, Path.cwd())
    except ConfigError as exc:
        fail(str(exc))
    return str(config.get("store") or "default")


def _parse_output(value: str) -> tuple[str, Path | None]:
    name, separator, path = value.partition("=")
    name = name.strip().lower()
    if name not in FORMATS:
        fail(f"-o {value}: unknown format {name!r}; choose from {', '.join(FORMATS)}")
    if separator and not path:
        fail(f"-o {value}: empty path after '='")
    return name, Path(path) if path else None


def _write(text: str, path: Path | None) -> None:
    if path is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomic(path, text)  # a reader never sees half a file, nor a leftover temporary
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror}")


def _with_store(store_url: str | None, read: Callable[[Any], T]) -> T:
    from scanner.history.store import HistoryStore, StoreError

    try:
        with (
            HistoryStore.open(_store_value(store_url), create=False) as store,
            store.reading() as connection,
        ):
            return read(connection)
    except StoreError as exc:
        fail(str(exc))


def _render(
    output: str,
    value: T,
    console: Callable[[T], str],
    markdown: Callable[[T], str],
    to_dict: Callable[[T], Any],
) -> None:
    import json

    name, path = _parse_output(output)
    if name == "json":
        text = json.dumps(to_dict(value), indent=2, ensure_ascii=False) + "\n"
    elif name == "markdown":
        text = markdown(value)
    else:
        text = console(value)
    _write(text, path)


def _day(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        fail(f"{option} {value!r}: expected a date, YYYY-MM-DD")


@click.group("history")
def history() -> None:
    """The scan history: stored runs, what changed between them, timelines."""


@history.command("runs")
@click.option("--source", help="Only runs of this source (terraform, kubernetes, aws, snapshot).")
@click.option("--target", help="Only runs whose scope or targets contain this text.")
@click.option("--scope", help="Only runs of exactly this scope.")
@click.option("--since", "since", metavar="DATE", help="Only runs started on or after DATE.")
@click.option("--until", "until", metavar="DATE", help="Only runs started on or before DATE.")
@click.option("--complete", "complete_only", is_flag=True, help="Only complete runs.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@_store_options
def history_runs(
    source: str | None,
    target: str | None,
    scope: str | None,
    since: str | None,
    until: str | None,
    complete_only: bool,
    limit: int,
    store_url: str | None,
    output: str,
) -> None:
    """List stored runs, newest first; an incomplete run never counts as clean."""
    from scanner.history.runs import RunFilter, list_runs
    from scanner.history.views import runs_console, runs_markdown

    end = _day(until, "--until")
    where = RunFilter(
        source=source,
        target=target,
        scope=scope,
        since=_day(since, "--since"),
        until=end + timedelta(days=1) if end else None,
        complete_only=complete_only,
        limit=limit,
    )
    runs = _with_store(store_url, lambda connection: list_runs(connection, where))
    _render(
        output,
        runs,
        runs_console,
        runs_markdown,
        lambda rs: {"schema_version": "1", "runs": [r.to_dict() for r in rs]},
    )


@history.command("diff")
@click.argument("run_a", required=False)
@click.argument("run_b", required=False)
@click.option("--scope", help="Compare the last two complete runs of this scope.")
@click.option(
    "--fail-on-new",
    is_flag=True,
    help="Exit 1 when there are new or regressed failures (for scheduled jobs).",
)
@_store_options
def history_diff(
    run_a: str | None,
    run_b: str | None,
    scope: str | None,
    fail_on_new: bool,
    store_url: str | None,
    output: str,
) -> None:
    """What changed from RUN_A to RUN_B.

    No run: the last two complete runs of one scope (the newest run's, or --scope). One run: that
    run against the previous complete run of its scope. Run ids may be shortened to a unique
    prefix.
    """
    from scanner.history.diff import diff_runs, diff_to_dict
    from scanner.history.views import diff_console, diff_markdown

    diff = _with_store(store_url, lambda c: diff_runs(c, run_a, run_b, scope=scope))
    for warning in diff.warnings:
        click.echo(f"comply: warning: {warning}", err=True)
    _render(output, diff, diff_console, diff_markdown, diff_to_dict)
    if fail_on_new and (diff.new or diff.regressed):
        sys.exit(1)


@history.command("show")
@click.option("--resource", help="A resource id (Terraform address, ARN, Kind/namespace/name).")
@click.option("--check", "check", help="A check id.")
@click.option("--control", help="A control id (164.312(b), CC6.1, ...).")
@click.option("--scope", help="Only runs of this scope.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="How many of the newest runs.",
)
@_store_options
def history_show(
    resource: str | None,
    check: str | None,
    control: str | None,
    scope: str | None,
    limit: int,
    store_url: str | None,
    output: str,
) -> None:
    """A timeline of statuses, run by run, for a resource, a check or a control."""
    from scanner.history.timeline import Subject, build_timeline, timeline_to_dict
    from scanner.history.views import timeline_console, timeline_markdown

    given = [v for v in (resource, check, control) if v is not None]
    if len(given) != 1:
        fail("give exactly one of --resource, --check or --control")
    subject = Subject(resource=resource, check=check, control=control)
    timeline = _with_store(
        store_url, lambda c: build_timeline(c, subject, scope=scope, limit=limit)
    )
    _render(output, timeline, timeline_console, timeline_markdown, timeline_to_dict)
