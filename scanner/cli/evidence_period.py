"""`comply evidence export --from --to --store`: a bundle for a period of stored runs.

The CLI reads the store (scanner.history) and hands plain runs to scanner.evidence.period, which
may not import the store.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from scanner import __version__
from scanner.cli.common import fail
from scanner.cli.evidence_context import (
    effective_configuration,
    export_operator,
    system_description,
)
from scanner.cli.history_commands import _store_value
from scanner.compliance.attestations import (
    Attestation,
    AttestationError,
    attestations_by_control,
    load_attestations,
)
from scanner.compliance.catalog import Catalog
from scanner.compliance.waivers import Waiver, WaiverError, load_waivers
from scanner.core.model import ScanWarning
from scanner.core.registry import Registry
from scanner.core.wording import plural
from scanner.evidence.builder import (
    attestation_inputs,
    responses_file,
    waivers_file,
    write_bundle,
)
from scanner.evidence.errors import EvidenceError
from scanner.evidence.manifest import SigningError
from scanner.evidence.period import (
    PeriodRun,
    build_period,
    parse_cadence,
    parse_instant,
)
from scanner.evidence.period_acceptances import with_acceptances
from scanner.evidence.period_files import period_files
from scanner.evidence.period_population import with_population
from scanner.evidence.responses import Response, load_responses

DEFAULT_CADENCE = "1d"


def _cadence(given: str | None) -> str:
    if given:
        return given
    from scanner.premerge.config import ConfigError, find_config

    try:
        config = find_config(None, Path.cwd())
    except ConfigError as exc:
        fail(str(exc))
    settings: dict[str, Any] = config.get("evidence") or {}
    return str(settings.get("cadence") or DEFAULT_CADENCE)


def _read_runs(
    store_url: str | None, start: Any, end: Any, scope: str | None
) -> tuple[list[PeriodRun], list[dict[str, Any]]]:
    """The period's runs (with what each scanned) and the population its complete runs
    scanned."""
    from scanner.history.operator import operator_record
    from scanner.history.period import findings_of_runs, population_of_runs, runs_in_period
    from scanner.history.store import HistoryStore, StoreError

    try:
        with (
            HistoryStore.open(_store_value(store_url), create=False) as store,
            store.reading() as connection,
        ):
            infos = runs_in_period(connection, start, end, scope=scope)
            findings = findings_of_runs(connection, [r.run_id for r in infos if r.complete])
            population = population_of_runs(connection, [r for r in infos if r.complete])
    except StoreError as exc:
        fail(str(exc))
    runs = [
        PeriodRun(
            run_id=info.run_id,
            scope=info.scope,
            source=info.source,
            started_at=info.started_at,
            finished_at=info.finished_at,
            complete=info.complete,
            shards=f"{info.shards_reported}/{info.shard_total} shards reported",
            tool_version=info.tool_version,
            operator=operator_record(info.operator),
            findings=tuple(findings.get(info.run_id, [])),
            targets=tuple(info.targets),
            accounts=tuple(info.accounts),
            regions=tuple(info.regions),
            resources=population.per_run.get(info.run_id, 0) if info.complete else None,
        )
        for info in infos
    ]
    return runs, population.resources


def _acceptances(
    waivers_path: Path | None, responses_path: Path | None, attachments: dict[str, bytes]
) -> tuple[list[Waiver], list[Response]]:
    """The waivers and responses files, read and carried into `attachments`."""
    waivers: list[Waiver] = []
    responses: list[Response] = []
    if waivers_path is not None:
        warnings: list[ScanWarning] = []
        waivers = load_waivers(waivers_path, warnings)
        for warning in warnings:
            click.echo(f"comply: warning: {warning.target}: {warning.message}", err=True)
        attachments.update(waivers_file(waivers_path)[1])
    if responses_path is not None:
        responses = load_responses(responses_path)
        attachments.update(responses_file(responses_path))
    return waivers, responses


def export_period(
    *,
    framework: str,
    catalog: Catalog,
    registry: Registry,
    period: tuple[str, str],
    store_url: str | None,
    scope: str | None,
    cadence: str | None,
    attestations_path: Path | None,
    evidence_root: Path | None,
    waivers_path: Path | None,
    responses_path: Path | None,
    templates: Path | None,
    sign_key: Path | None,
    pdf: bool,
    preparer: str | None,
    out: Path,
) -> None:
    try:
        start = parse_instant(period[0])
        end = parse_instant(period[1])
        if len(period[1]) == 10:  # a date: the whole day is in the period
            end += timedelta(days=1)
        every = parse_cadence(_cadence(cadence))
        runs, population = _read_runs(store_url, start, end, scope)
        attestations: list[Attestation] = []
        attachments: dict[str, bytes] = {}
        if attestations_path is not None:
            attestations, warnings = load_attestations(attestations_path, catalog, evidence_root)
            for warning in warnings:
                click.echo(f"comply: warning: {warning.message}", err=True)
            copied = attestation_inputs(attestations_path, attestations, evidence_root)
            attachments.update(copied[2])
        model = build_period(
            framework=framework,
            catalog=catalog,
            registry=registry,
            runs=runs,
            start=start,
            end=end,
            cadence=every,
            tool_version=__version__,
            system=system_description(),
            attestations=attestations_by_control(attestations),
        )
        waivers, responses = _acceptances(waivers_path, responses_path, attachments)
        model = with_acceptances(model, registry, waivers, responses)
        model = with_population(model, population)
        if attestations_path is not None:
            model = replace(model, attestations_file=copied[0], attestation_items=copied[1])
        files = period_files(
            model,
            templates=templates,
            sign_key_pem=sign_key.read_bytes() if sign_key is not None else None,
            pdf=pdf,
            preparer=preparer,
            attachments=attachments,
            export={
                "framework": framework,
                "period": {"from": period[0], "to": period[1]},
                "scope": scope,
                "cadence": _cadence(cadence),
                "attestations": attestations_path.name if attestations_path else None,
                "waivers": waivers_path.name if waivers_path else None,
                "responses": responses_path.name if responses_path else None,
                "templates": "custom, with bundled fallback" if templates else "bundled",
                "pdf": pdf,
                "operator": export_operator(),
                "configuration": effective_configuration(),
            },
        )
        write_bundle(files, out)
    except (EvidenceError, SigningError, AttestationError, WaiverError) as exc:
        fail(str(exc))
    click.echo(f"wrote {plural(len(files), 'file')} to {out}")
    click.echo(
        f"{model.framework_name}, {model.start} to {model.end}: "
        f"{plural(len(model.runs), 'complete run')}, "
        f"{plural(len(model.incomplete_runs), 'incomplete run')}, "
        f"{plural(len(model.gaps), 'gap')} longer than {_cadence(cadence)}"
    )
