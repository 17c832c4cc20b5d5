"""OSCAL 1.1.2 assessment-results for a period bundle (`oscal/assessment-results.json`).

Built from the same parts as the point-in-time document (`scanner.evidence.oscal`): control-id
tokens, the state map, UUIDv5 ids under the bundle's uuid, props in comply's namespace, parties,
roles, inventory items and risks. What differs, and why:

* **One result for the period**: `start` is `--from`, `end` is `--to` (exclusive end, UTC).
* **assessment-log**: one entry per run of the period (complete or not), with its start, end and
  operator (user@host, CI run URL) as props.
* **Findings**: one per control, with its status *over the period* in the `control-status` prop:
  `satisfied` (or `attested`, when any run was attested) when every judged run met the control;
  `not_satisfied` when any run did not satisfy it; `incomplete` when some judged run was
  incomplete (or no complete run exists); `not_applicable` when no run had a resource in scope or
  `system:` marks it so. The OSCAL state follows the same map as a point-in-time bundle, so a
  period is `satisfied` only if every judged run met the control. The share, the runs judged,
  met and attested are props; the timeline is in `period/controls.json`, linked with its hash.
* **Observations**: one TEST observation per control with checks, over the period, whose
  subjects are the inventory items its checks judged; one EXAMINE observation per attestation a
  control shows (current on some run's date), judged on the period's last day.
* **Risks**: one per exception (a streak of failing or waived runs of a check on a resource),
  `closed` once resolved in the period, else by management's response (`remediating` when open
  or overdue, `closed` when closed, `open` without one); the check's remediation text as a
  recommendation, the response (owner, due date as `deadline`, ticket, state) as props.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.evidence.control_rollup import attestation_record
from scanner.evidence.manifest import sha256_hex
from scanner.evidence.oscal_context import (
    assessment_document,
    control_finding,
    inventory_items,
    inventory_uuid,
    operator_props,
    risk_entry,
    risk_status,
)
from scanner.evidence.oscal_evidence import EvidenceLinks, FileDigests
from scanner.evidence.oscal_fields import (
    bundle_href,
    one_line,
    oscal_prop,
    user_text,
    without_empty,
)
from scanner.evidence.oscal_mapping import OscalIds, control_tokens
from scanner.evidence.oscal_observations import attestation_observation
from scanner.evidence.period import MEETS, ControlPeriod, ExceptionEpisode, PeriodModel, iso
from scanner.evidence.period_acceptances import last_day, response_of
from scanner.evidence.text_safety import dump_json

OSCAL_VERSION = "1.1.2"
CONTROLS_FILE = "period/controls.json"
RUNS_FILE = "period/runs.json"


@dataclass(frozen=True)
class _Scope:
    uuid: str


def period_status(control: ControlPeriod) -> tuple[str, str]:
    """(comply status over the period, why)."""
    if control.not_applicable is not None:
        return "not_applicable", control.not_applicable
    if not control.runs:
        return "incomplete", "no complete run in the period"
    judged = [s for s in control.statuses if s != "not_applicable"]
    if not judged:
        return "not_applicable", f"no resource in scope in any of the {control.runs} runs"
    summary = (
        f"met (satisfied or attested) in {control.satisfied_runs} of {len(judged)} runs judged"
        f" ({control.attested_runs} attested)"
    )
    if "not_satisfied" in judged:
        return "not_satisfied", f"{summary}; not satisfied in {judged.count('not_satisfied')}"
    if "incomplete" in judged:
        return "incomplete", f"{summary}; incomplete in {judged.count('incomplete')}"
    assert all(s in MEETS for s in judged)
    return ("attested" if control.attested_runs else "satisfied"), summary


def _subjects(control: ControlPeriod, period: PeriodModel, ids: OscalIds) -> list[dict[str, Any]]:
    checks = set(control.checks)
    scopes: dict[str, set[str]] = defaultdict(set)
    for run in period.runs:
        for row in run.findings:
            if row["check_id"] in checks:
                scopes[run.scope].add(str(row["resource_id"]))
    out = []
    for resource in period.population:
        if resource.id in scopes.get(resource.report, ()):
            uuid = inventory_uuid(ids, resource.report, resource.source, resource.id)
            out.append({"subject-uuid": uuid, "type": "inventory-item"})
    return out


def _observation(
    control: ControlPeriod,
    period: PeriodModel,
    ids: OscalIds,
    evidence: EvidenceLinks,
    tool_uuid: str,
) -> dict[str, Any]:
    counts = {s: control.statuses.count(s) for s in sorted(set(control.statuses))}
    phrase = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items()) or "no run"
    relevant = []
    if evidence.has(CONTROLS_FILE):
        relevant.append(
            evidence.relevant(
                CONTROLS_FILE,
                f"Status of {control.id} in every run of the period (its timeline).",
                "Per-control status per run",
            )
        )
    return without_empty(
        {
            "uuid": ids("observation", "period", control.framework, control.id),
            "title": one_line(f"{control.id} over the period"),
            "description": user_text(
                f"comply ran the checks of {control.id} ({', '.join(control.checks)}) in "
                f"{control.runs} complete run(s) from {period.start} to {period.end}: {phrase}."
            ),
            "methods": ["TEST"],
            "origins": [{"actors": [{"type": "tool", "actor-uuid": tool_uuid}]}],
            "subjects": _subjects(control, period, ids),
            "relevant-evidence": relevant,
            "collected": period.end,
        }
    )


def _attestation_observations(
    period: PeriodModel, ids: OscalIds, evidence: EvidenceLinks, tool_uuid: str
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """One EXAMINE observation per attestation a control shows (those current on some run's
    date), judged on the period's last day, as the point-in-time document has them."""
    judged = (period.attestations_file, last_day(period).isoformat(), period.end)
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for control in period.controls:
        for attestation in control.attestations:
            record = attestation_record(attestation, period.attestation_items, last_day(period))
            out.setdefault((control.framework, control.id), []).append(
                attestation_observation(record, judged, ids, evidence, tool_uuid)
            )
    return out


def _finding(
    control: ControlPeriod, token: str, ids: OscalIds, related: list[str]
) -> dict[str, Any]:
    status, reason_text = period_status(control)
    props = [
        oscal_prop("runs-judged", control.judged_runs),
        oscal_prop("runs-met", control.satisfied_runs),
        oscal_prop("runs-attested", control.attested_runs),
        oscal_prop("exceptions", len(control.exceptions)),
    ]
    if control.share_satisfied is not None:
        props.append(oscal_prop("share-satisfied", control.share_satisfied))
    return control_finding(
        ids,
        (control.framework, control.id, control.title, control.automation),
        token,
        (status, reason_text),
        description=user_text(
            f"{control.title}. comply status over the period: "
            f"{status.replace('_', ' ')} — {reason_text}."
        ),
        extra_props=props,
        links=[{"href": bundle_href("timeline.html"), "rel": "reference"}],
        related=related,
    )


def _risk(episode: ExceptionEpisode, period: PeriodModel, ids: OscalIds) -> dict[str, Any]:
    response = response_of(period, episode)
    key = "\x1f".join([episode.check_id, episode.resource_id, episode.first_seen])
    when = f"first seen {episode.first_seen}, last seen {episode.last_seen}, " + (
        f"resolved {episode.resolved} ({episode.days_to_remediate} days)"
        if episode.resolved
        else "still open at the end of the period"
    )
    risk = risk_entry(
        ids,
        key,
        title=f"{episode.check_id} on {episode.resource_id}",
        description=f"{episode.title or episode.check_id}: {when}.",
        statement=(
            f"{episode.title or episode.check_id} (severity {episode.severity}) failed on "
            f"{episode.resource_id} in {episode.failing_runs} run(s) and was waived in "
            f"{episode.waived_runs}."
        ),
        status="closed" if episode.resolved else risk_status(response.state if response else None),
        severity=episode.severity,
        remediation=period.remediations.get(episode.check_id, ""),
        check_id=episode.check_id,
    )
    risk["props"] += [
        oscal_prop("first-seen", episode.first_seen),
        oscal_prop("last-seen", episode.last_seen),
        *([oscal_prop("resolved", episode.resolved)] if episode.resolved else []),
    ]
    if response is not None:
        answer = response.response
        risk["deadline"] = f"{answer.due.isoformat()}T00:00:00Z"
        risk["props"] += [
            oscal_prop("response-owner", answer.owner),
            oscal_prop("response-ticket", answer.ticket),
            oscal_prop("response-state", response.state),
        ]
    return risk


def _log(period: PeriodModel, ids: OscalIds) -> dict[str, Any] | None:
    runs = sorted((*period.runs, *period.incomplete_runs), key=lambda r: (r.started_at, r.run_id))
    entries = [
        without_empty(
            {
                "uuid": ids("log-entry", run.run_id),
                "title": one_line(f"run {run.run_id}"),
                "description": user_text(
                    f"comply {run.source} run {run.run_id} of scope {run.scope}: "
                    f"{'complete' if run.complete else 'incomplete, not judged'} "
                    f"({run.shards}), comply {run.tool_version}"
                ),
                "start": iso(run.started_at),
                "end": iso(run.finished_at) if run.finished_at else None,
                **operator_props(run.operator),
            }
        )
        for run in runs
    ]
    return {"entries": entries} if entries else None


def period_assessment_results(
    period: PeriodModel, bundle_uuid: str, files: FileDigests
) -> dict[str, Any]:
    """The OSCAL assessment-results of a period bundle; `files` as for the point-in-time one."""
    ids = OscalIds(_Scope(bundle_uuid))
    tokens = control_tokens(period.controls)
    evidence = EvidenceLinks(ids, files)
    tool_uuid = ids("component", "tool")
    observations = {
        (c.framework, c.id): _observation(c, period, ids, evidence, tool_uuid)
        for c in period.controls
        if c.checks and c.runs
    }
    examined = _attestation_observations(period, ids, evidence, tool_uuid)
    findings = [
        _finding(
            c,
            tokens[(c.framework, c.id)],
            ids,
            [o["uuid"] for o in [observations.get((c.framework, c.id))] if o]
            + [o["uuid"] for o in examined.get((c.framework, c.id), [])],
        )
        for c in period.controls
    ]
    episodes = list(dict.fromkeys(e for c in period.controls for e in c.exceptions))
    plan_uuid = ids("assessment-plan")
    plan: dict[str, Any] = {
        "uuid": plan_uuid,
        "title": one_line(
            f"Assessment plan: comply checks and attestations for {period.framework_name}"
        ),
        "description": (
            f"There is no separate OSCAL assessment plan. The plan is the {period.framework_name} "
            "catalog with its mapping of controls to automated checks, run at the expected "
            f"cadence (every {period.cadence_hours} hours); the runs are in {RUNS_FILE}."
        ),
    }
    if evidence.has(RUNS_FILE):
        plan["rlinks"] = [evidence.rlink(RUNS_FILE)]
    result = without_empty(
        {
            "uuid": ids("result"),
            "title": one_line(
                f"{period.framework_name}: evidence for {period.start} to {period.end}"
            ),
            "description": (
                f"{len(period.runs)} complete and {len(period.incomplete_runs)} incomplete "
                f"run(s) of comply from {period.start} to {period.end} (end excluded), every "
                f"control of {period.framework_name} judged per run and over the period."
            ),
            "start": period.start,
            "end": period.end,
            "props": [
                oscal_prop("control-count", len(period.controls)),
                oscal_prop("complete-runs", len(period.runs)),
                oscal_prop("incomplete-runs", len(period.incomplete_runs)),
                oscal_prop("gaps", len(period.gaps)),
            ],
            "local-definitions": without_empty(
                {
                    "components": [
                        {
                            "uuid": tool_uuid,
                            "type": "software",
                            "title": f"{period.tool_name} {period.tool_version}",
                            "description": (
                                "comply, the policy-as-code scanner whose stored runs are "
                                "assessed here."
                            ),
                            "props": [oscal_prop("tool-version", period.tool_version)],
                            "status": {"state": "operational"},
                        }
                    ],
                    "inventory-items": inventory_items(period, ids),
                }
            ),
            "reviewed-controls": {
                "description": f"Every control of {period.framework_name} in scope.",
                "control-selections": [
                    {
                        "include-controls": [
                            {"control-id": tokens[(c.framework, c.id)]} for c in period.controls
                        ]
                    }
                ],
            },
            "observations": [
                *observations.values(),
                *(o for group in examined.values() for o in group),
            ],
            "risks": [_risk(e, period, ids) for e in episodes],
            "findings": findings,
            "assessment-log": _log(period, ids),
        }
    )
    metadata: dict[str, Any] = {
        "title": one_line(
            f"{period.framework_name}: evidence for {period.start} to {period.end} "
            "(OSCAL assessment results)"
        ),
        "last-modified": period.end,
        "version": period.end,
        "oscal-version": OSCAL_VERSION,
        "props": [
            oscal_prop("bundle-uuid", bundle_uuid),
            oscal_prop("bundle-kind", "period"),
            oscal_prop("framework", period.framework),
            oscal_prop("period-start", period.start),
            oscal_prop("period-end", period.end),
            oscal_prop("tool", f"{period.tool_name} {period.tool_version}"),
        ],
    }
    return assessment_document(
        period,
        ids,
        metadata=metadata,
        plan=without_empty(plan),
        plan_remark=f"catalog, check mapping, {RUNS_FILE}",
        result=result,
        back_matter=evidence.back_matter(),
    )


def oscal_period_file(
    period: PeriodModel, bundle_uuid: str, files: Mapping[str, bytes]
) -> dict[str, bytes]:
    digests = {path: sha256_hex(data) for path, data in files.items()}
    document = period_assessment_results(period, bundle_uuid, digests)
    return {"oscal/assessment-results.json": dump_json(document, sort_keys=False)}
