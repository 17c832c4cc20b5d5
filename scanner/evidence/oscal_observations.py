"""OSCAL observations: one TEST observation per automated check and one EXAMINE observation
per attestation, each with the bundle files it rests on as relevant evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.evidence.model import (
    AttestationRecord,
    BundleModel,
    CheckResult,
    CopiedFile,
    FindingRecord,
)
from scanner.evidence.oscal_context import inventory_uuid
from scanner.evidence.oscal_evidence import EvidenceLinks
from scanner.evidence.oscal_fields import (
    one_line,
    oscal_prop,
    oscal_timestamp,
    user_text,
    without_empty,
)
from scanner.evidence.oscal_mapping import OscalIds

RESULT_STATUSES = ("pass", "fail", "unknown", "error", "skipped")


def count_phrase(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{counts.get(s, 0)} {s}" for s in RESULT_STATUSES)


def _finding_line(finding: FindingRecord) -> str:
    location = finding.location or {}
    where = ""
    if location.get("file"):
        where = f" ({location['file']}:{location.get('start_line', '?')})"
    return f"- {finding.status}: {finding.resource_id}{where}: {finding.message}"


def _collected(findings: Sequence[FindingRecord], model: BundleModel) -> str:
    finished = {r.name: r.finished_at for r in model.reports}
    times = [finished[f.report] for f in findings if finished.get(f.report)]
    return oscal_timestamp(max(times) if times else model.generated_at)


def check_observation(
    result: CheckResult,
    model: BundleModel,
    ids: OscalIds,
    evidence: EvidenceLinks,
    tool_uuid: str,
) -> dict[str, Any]:
    findings = result.findings
    types = ", ".join(result.resource_types) or "none"
    description = (
        f"comply ran the automated check `{result.check_id}` ({result.title}; severity "
        f"{result.severity or 'unknown'}) over every resource of type {types} in the scanned "
        f"inputs: {len(findings)} result(s): {count_phrase(result.counts)}."
    )
    if not findings:
        description += " No resource of these types was in scope."
    relevant = []
    missing = 0
    seen: set[str] = set()
    for finding in findings:
        path = finding.evidence_path
        if not evidence.has(path):
            missing += 1
            continue
        assert path is not None  # has() is False for None
        if path in seen:
            continue
        seen.add(path)
        relevant.append(
            evidence.relevant(
                path,
                f"Raw {finding.source} data of {finding.resource_id} ({finding.resource_type}) "
                f"that the check judged: {finding.status}.",
                f"Raw evidence: {finding.source} {finding.resource_id}",
            )
        )
    notable = [_finding_line(f) for f in findings if f.status != "pass"]
    remarks = []
    if notable:
        remarks.append("Results other than pass:\n\n" + "\n".join(notable))
    if missing:
        remarks.append(f"{missing} result(s) had no raw evidence file in the bundle.")
    props = [
        oscal_prop("check-id", result.check_id),
        *([oscal_prop("severity", result.severity)] if result.severity else []),
        *(oscal_prop("result-count", result.counts.get(s, 0), cls=s) for s in RESULT_STATUSES),
    ]
    return without_empty(
        {
            "uuid": ids("observation", "check", result.check_id),
            "title": one_line(f"Automated check {result.check_id}: {result.title}"),
            "description": description,
            "props": props,
            "methods": ["TEST"],
            "origins": [{"actors": [{"type": "tool", "actor-uuid": tool_uuid}]}],
            "subjects": _subjects(findings, model, ids),
            "relevant-evidence": relevant,
            "collected": _collected(findings, model),
            "remarks": "\n\n".join(remarks) or None,
        }
    )


def _subjects(
    findings: tuple[FindingRecord, ...], model: BundleModel, ids: OscalIds
) -> list[dict[str, Any]]:
    """The inventory items (resources of the population) the check judged."""
    known = {(r.report, r.source, r.id) for r in model.population}
    out: dict[str, dict[str, Any]] = {}
    for f in findings:
        if (f.report, f.source, f.resource_id) in known:
            uuid = inventory_uuid(ids, f.report, f.source, f.resource_id)
            out.setdefault(uuid, {"subject-uuid": uuid, "type": "inventory-item"})
    return list(out.values())


def attestation_observation(
    attestation: AttestationRecord,
    judged: tuple[CopiedFile | None, str, str],
    ids: OscalIds,
    evidence: EvidenceLinks,
    tool_uuid: str,
) -> dict[str, Any]:
    """`judged`: (the attestations file in the bundle, the day the attestation was judged on
    (YYYY-MM-DD), the observation's `collected` time)."""
    control = f"{attestation.control.framework}:{attestation.control.id}"
    relevant = []
    copied, judged_on, collected = judged
    if copied is not None and evidence.has(copied.bundle_path):
        relevant.append(
            evidence.relevant(
                copied.bundle_path,
                f"The attestations file ({user_text(copied.name)}) that holds this statement"
                + (" (credential-looking values redacted)." if copied.redacted else "."),
                f"Attestations file {copied.name}",
            )
        )
    for item in attestation.evidence:
        reference = user_text(item.reference)
        if item.state == "copied" and evidence.has(item.bundle_path):
            assert item.bundle_path is not None
            relevant.append(
                evidence.relevant(
                    item.bundle_path,
                    f"Evidence file {reference} named by the attestation, copied into the bundle.",
                    f"Attestation evidence {reference}",
                )
            )
        elif item.kind == "url":
            # A link the owner gave: carried as written, with no hash (comply did not fetch it).
            relevant.append(
                {
                    "href": reference,
                    "description": f"Link named by the attestation (not fetched, no hash): "
                    f"{reference}",
                }
            )
        else:
            why = {
                "missing": "named by the attestation but not found; not in the bundle",
                "withheld": "withheld from the bundle: it looked like it holds a credential",
            }.get(item.state, f"not in the bundle ({item.state})")
            relevant.append({"description": f"Evidence file {reference}: {why}."})
    observation: dict[str, Any] = {
        "uuid": ids("observation", "attestation", attestation.uuid),
        "title": one_line(f"Attestation of {control} by {attestation.owner}"),
        "description": (
            f"comply examined the attestation for {control} ({user_text(attestation.source)}): "
            f'"{user_text(attestation.statement)}" — attested by {user_text(attestation.owner)} on '
            f"{attestation.date}, {attestation.status} on the bundle's evaluation date "
            f"{judged_on}."
        ),
        "props": [
            oscal_prop("control-id", attestation.control.id),
            oscal_prop("attested-by", attestation.owner),
            oscal_prop("attestation-date", attestation.date),
            oscal_prop("attestation-expires", attestation.expires),
            oscal_prop("attestation-current", "true" if attestation.current else "false"),
        ],
        "methods": ["EXAMINE"],
        "origins": [{"actors": [{"type": "tool", "actor-uuid": tool_uuid}]}],
        "relevant-evidence": relevant,
        "collected": oscal_timestamp(collected),
        # The attestation is valid through its `expires` day, inclusive.
        "expires": f"{attestation.expires}T23:59:59Z",
    }
    return without_empty(observation)
