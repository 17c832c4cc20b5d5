"""The files of a period bundle (`comply evidence export --from --to --store`), integrity included.

Deterministic like the point-in-time bundle: no clock (the bundle's time is the period and its
runs), sorted JSON, the same manifest, SHA256SUMS and optional Ed25519 signature.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from pathlib import Path
from typing import Any

from scanner.evidence.manifest import (
    SIGNATURE,
    SUMS,
    VERIFY_GUIDE,
    key_fingerprint,
    render_manifest,
    render_sums,
    sign,
    verify_guide,
)
from scanner.evidence.model import stable_uuid
from scanner.evidence.pages import render_template, template_environment
from scanner.evidence.period import ControlPeriod, PeriodModel, PeriodRun, iso
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
        "share_satisfied": control.share_satisfied,
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


def period_files(
    period: PeriodModel, *, templates: Path | None = None, sign_key_pem: bytes | None = None
) -> dict[str, bytes]:
    environment = template_environment(templates)
    all_runs = sorted(
        (*period.runs, *period.incomplete_runs), key=lambda r: (r.started_at, r.run_id)
    )
    context = {"period": period, "all_runs": all_runs, "iso": iso}
    identity = "\x1f".join(
        [period.framework, period.start, period.end, *(r.run_id for r in all_runs)]
    )
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
            }
        ),
        "period/runs.json": dump_json(
            {
                "complete": [_run(r) for r in period.runs],
                "incomplete": [_run(r) for r in period.incomplete_runs],
            }
        ),
        "period/exceptions.csv": _exceptions_csv(period),
    }
    fingerprint = key_fingerprint(sign_key_pem) if sign_key_pem is not None else None
    files[VERIFY_GUIDE] = verify_guide(fingerprint)
    manifest = render_manifest(
        files,
        {
            "uuid": stable_uuid("period-bundle", identity),
            "format_version": PERIOD_FORMAT_VERSION,
            "kind": "period",
            "framework": period.framework,
            "period": {"start": period.start, "end": period.end},
            "generated_at": period.end,
            "tool": {"name": "comply", "version": period.tool_version},
            "signed": sign_key_pem is not None,
            "signing_key_sha256": fingerprint,
        },
    )
    files["manifest.json"] = manifest
    files[SUMS] = render_sums(files)
    if sign_key_pem is not None:
        files[SIGNATURE] = sign(manifest, sign_key_pem)
    return dict(sorted(files.items()))
