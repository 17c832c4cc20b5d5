"""The files of a period bundle (`comply evidence export --from --to --store`), integrity included.

Deterministic like the point-in-time bundle: no clock (the bundle's time is the period and its
runs), sorted JSON, the same manifest, SHA256SUMS and optional Ed25519 signature.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from scanner.evidence.manifest import VERIFY_GUIDE, key_fingerprint, seal, verify_guide
from scanner.evidence.model import stable_uuid
from scanner.evidence.oscal_period import oscal_period_file
from scanner.evidence.pages import render_template, template_environment
from scanner.evidence.pdf_report import REPORT_PDF, content_hash, render_pdf
from scanner.evidence.period import (
    ControlPeriod,
    ExceptionEpisode,
    PeriodModel,
    PeriodRun,
    iso,
    parse_instant,
)
from scanner.evidence.period_acceptances import last_day, response_of, unanswered
from scanner.evidence.period_population import period_population_files, population_summary
from scanner.evidence.text_safety import dump_json, scrub

PERIOD_FORMAT_VERSION = "1"
EXCEPTION_COLUMNS = (
    "control",
    "check_id",
    "resource_id",
    "severity",
    "first_seen",
    "last_seen",
    "resolved",
    "days_to_remediate",
    "failing_runs",
    "waived_runs",
)


def _run(run: PeriodRun) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "scope": run.scope,
        "source": run.source,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at) if run.finished_at else None,
        "complete": run.complete,
        "shards": run.shards,
        "tool_version": run.tool_version,
        "operator": dict(run.operator),
        "findings": len(run.findings),
        "targets": list(run.targets),
        "accounts": list(run.accounts),
        "regions": list(run.regions),
        "resources": run.resources,
    }


def _control(control: ControlPeriod, runs: tuple[PeriodRun, ...]) -> dict[str, Any]:
    return {
        "framework": control.framework,
        "id": control.id,
        "title": control.title,
        "automation": control.automation,
        "checks": list(control.checks),
        "runs": control.judged_runs,
        "not_applicable": control.not_applicable,
        "satisfied_runs": control.satisfied_runs,
        "attested_runs": control.attested_runs,
        "share_satisfied": control.share_satisfied,
        "attestations": [
            {
                "owner": a.owner,
                "statement": a.statement,
                "date": a.date.isoformat(),
                "expires": a.expires.isoformat(),
                "evidence": list(a.evidence),
            }
            for a in control.attestations
        ],
        "timeline": [
            {"run_id": r.run_id, "started_at": iso(r.started_at), "status": s}
            for r, s in zip(runs, control.statuses, strict=True)
        ],
        "exceptions": [
            {
                "check_id": e.check_id,
                "resource_id": e.resource_id,
                "severity": e.severity,
                "first_seen": e.first_seen,
                "last_seen": e.last_seen,
                "resolved": e.resolved,
                "days_to_remediate": e.days_to_remediate,
                "failing_runs": e.failing_runs,
                "waived_runs": e.waived_runs,
                "state": e.state,
            }
            for e in control.exceptions
        ],
    }


def _acceptances(period: PeriodModel) -> dict[str, Any]:
    """Waivers in force during the period, responses (state on its last day), remediation."""

    def episodes(items: Sequence[ExceptionEpisode]) -> list[dict[str, str]]:
        return [
            {"check_id": e.check_id, "resource_id": e.resource_id, "first_seen": e.first_seen}
            for e in items
        ]

    return {
        "risk_acceptances": [
            {**p.waiver.to_dict(), "source": p.waiver.source, "exceptions": episodes(p.exceptions)}
            for p in period.waivers
        ],
        "responses": [
            {
                "check": p.response.check,
                "resource": p.response.resource,
                "owner": p.response.owner,
                "due": p.response.due.isoformat(),
                "ticket": p.response.ticket,
                "status": p.response.status,
                "state": p.state,
                "source": p.response.source,
                "exceptions": episodes(p.exceptions),
            }
            for p in period.responses
        ],
        "responses_judged_on": last_day(period).isoformat(),
        "open_exceptions_without_response": unanswered(period),
        "remediations": dict(period.remediations),
    }


def _exceptions_csv(period: PeriodModel) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXCEPTION_COLUMNS)
    for c in period.controls:
        for e in c.exceptions:
            writer.writerow(
                [
                    c.id,
                    e.check_id,
                    e.resource_id,
                    e.severity,
                    e.first_seen,
                    e.last_seen,
                    e.resolved or "",
                    "" if e.days_to_remediate is None else e.days_to_remediate,
                    e.failing_runs,
                    e.waived_runs,
                ]
            )
    return scrub(out.getvalue()).encode("utf-8")


def period_label(period: PeriodModel) -> str:
    """`2026-11-01 to 2026-11-06`: whole days as the user gave them (`--to` inclusive); the
    exact instants when the period does not fall on whole days."""
    start, end = parse_instant(period.start), parse_instant(period.end)
    if start.time() == end.time() == time(0) and end - start >= timedelta(days=1):
        last = (end - timedelta(days=1)).date().isoformat()
        return f"{start.date().isoformat()} to {last}"
    return f"{period.start} to {period.end}"


def short_time(value: str | None) -> str:
    """`2026-11-01 03:00` for `2026-11-01T03:00:00Z` (UTC): fits a printed table cell."""
    return f"{value[:10]} {value[11:16]}" if value else ""


def status_streaks(
    runs: Sequence[PeriodRun], statuses: Sequence[str]
) -> list[tuple[str, str, str, int]]:
    """Consecutive runs with the same status as (first run start, last run start, status, runs):
    a printable timeline that stays short over a year of nightly runs."""
    out: list[tuple[str, str, str, int]] = []
    for run, status in zip(runs, statuses, strict=True):
        when = iso(run.started_at)
        if out and out[-1][2] == status:
            first, _, _, count = out[-1]
            out[-1] = (first, when, status, count + 1)
        else:
            out.append((when, when, status, 1))
    return out


def _report_pdf(
    period: PeriodModel,
    environment: Any,
    files: dict[str, bytes],
    context: dict[str, Any],
    report: dict[str, Any],
) -> bytes:
    report = {
        **report,
        "bundle_hash": content_hash(files),
        "period_label": period_label(period),
    }
    html = render_template(
        environment,
        "period-report-print.html.j2",
        report=report,
        streaks=lambda control: status_streaks(period.runs, control.statuses),
        when=short_time,
        response=lambda episode: response_of(period, episode),
        **context,
    )
    return render_pdf(html.decode("utf-8"), period.end)


def period_files(
    period: PeriodModel,
    *,
    templates: Path | None = None,
    sign_key_pem: bytes | None = None,
    pdf: bool = False,
    preparer: str | None = None,
    export: Mapping[str, Any] | None = None,
    attachments: Mapping[str, bytes] | None = None,
) -> dict[str, bytes]:
    """Every file of the period bundle; `export` (who exported, the effective configuration,
    what was asked) goes to run/metadata.json as in a point-in-time bundle; `attachments` are
    the user's files carried in as they are (attestations and their evidence, waivers,
    responses)."""
    environment = template_environment(templates)
    all_runs = sorted(
        (*period.runs, *period.incomplete_runs), key=lambda r: (r.started_at, r.run_id)
    )
    context = {
        "period": period,
        "all_runs": all_runs,
        "iso": iso,
        "last_day": last_day(period).isoformat(),
        "unanswered": unanswered(period),
        "population": population_summary(period),
    }
    identity = "\x1f".join(
        [period.framework, period.start, period.end, *(r.run_id for r in all_runs)]
    )
    uuid = stable_uuid("period-bundle", identity)
    files: dict[str, bytes] = {
        "index.html": render_template(environment, "period-index.html.j2", **context),
        "timeline.html": render_template(environment, "period-timeline.html.j2", **context),
        "period/controls.json": dump_json(
            {
                "framework": period.framework,
                "period": {"start": period.start, "end": period.end},
                "cadence_hours": period.cadence_hours,
                "system": asdict(period.system) if period.system else None,
                "gaps": [{"start": g.start, "end": g.end, "hours": g.hours} for g in period.gaps],
                "controls": [_control(c, period.runs) for c in period.controls],
                **_acceptances(period),
            }
        ),
        "period/runs.json": dump_json(
            {
                "complete": [_run(r) for r in period.runs],
                "incomplete": [_run(r) for r in period.incomplete_runs],
            }
        ),
        "period/exceptions.csv": _exceptions_csv(period),
        **period_population_files(period),
        "run/metadata.json": dump_json(
            {
                "bundle": {
                    "uuid": uuid,
                    "kind": "period",
                    "format_version": PERIOD_FORMAT_VERSION,
                    "framework": period.framework,
                    "framework_name": period.framework_name,
                    "period": {"start": period.start, "end": period.end},
                },
                "tool": {"name": "comply", "version": period.tool_version},
                "export": dict(export or {}),
            }
        ),
    }
    files.update(attachments or {})
    files.update(oscal_period_file(period, uuid, files))
    fingerprint = key_fingerprint(sign_key_pem) if sign_key_pem is not None else None
    files[VERIFY_GUIDE] = verify_guide(fingerprint)
    if pdf:
        report = {"preparer": preparer, "signing_key": fingerprint, "bundle_id": uuid}
        files[REPORT_PDF] = _report_pdf(period, environment, files, context, report)
    return seal(
        files,
        {
            "uuid": uuid,
            "format_version": PERIOD_FORMAT_VERSION,
            "kind": "period",
            "framework": period.framework,
            "period": {"start": period.start, "end": period.end},
            "generated_at": period.end,
            "tool": {"name": "comply", "version": period.tool_version},
            "signed": sign_key_pem is not None,
            "signing_key_sha256": fingerprint,
        },
        sign_key_pem,
    )
