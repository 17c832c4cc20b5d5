"""OSCAL 1.1.2 assessment-results for an evidence bundle (`oscal/assessment-results.json`).

NIST OSCAL assessment-results is the machine format auditors' tools read. This module turns the
BundleModel into one such document; it reads no clock and no random source, so the same model and
files give the same document, id for id.

Decisions an auditor (or a tool) needs to know, documented here and in docs:

* **Control ids.** OSCAL control ids are tokens (a letter or `_` first, then letters, digits,
  `.`, `_`, `-`), so `164.312(a)(2)(iv)` cannot be used as is. `control_token` maps it
  deterministically: lower-case, every `(x)` becomes `-x`, any other character outside
  `[a-z0-9._-]` becomes `-`, runs of `-` collapse, and the framework id is prefixed (HIPAA ids
  start with a digit; the prefix also keeps two frameworks' ids apart):
  `164.312(a)(2)(iv)` -> `hipaa-164.312-a-2-iv`, `CC6.1` -> `soc2-cc6.1`. The original id is kept
  in the `control-id` prop of each finding (and its target). Two controls mapping to one token is
  an error, never a silent merge.
* **Statuses.** OSCAL has only `satisfied` and `not-satisfied`. comply's five states map as:
  `satisfied` -> satisfied (reason `pass`); `attested` -> satisfied (reason `pass`) with prop
  `attested=true` and an EXAMINE observation of the attestation; `not_satisfied` ->
  not-satisfied (reason `fail`); `incomplete` -> not-satisfied (reason `other`) with the reason in
  the remarks, since nothing is ever claimed satisfied on missing data; `not_applicable` ->
  not-satisfied (reason `other`): no resource was in scope, so nothing was shown to satisfy the
  control; the finding is kept (not omitted) so every control of the framework appears and the
  reviewer decides whether the scope was right. Every finding carries comply's own status in the
  `control-status` prop.
* **import-ap.** comply has no separate OSCAL assessment plan: the plan is the framework catalog
  and its control-to-check mapping. `import-ap.href` is therefore a `#<uuid>` fragment to a
  back-matter resource that describes that plan and links the bundle's `coverage.csv` (with its
  hash) — OSCAL's documented form for a plan that is not a separate document, and no placeholder
  file that pretends to be one.
* **Links and hashes.** Hrefs are relative to this document's own location (`oscal/`), so
  `../evidence/raw/...` resolves to the bundle file for any tool. Each evidence file is referenced
  from `relevant-evidence` (href plus a `sha256` prop in comply's namespace) and listed once in
  back-matter with an `rlink` whose `hashes` carry the SHA-256 — the OSCAL-native form.
  Only files the builder says it wrote are linked; evidence that is not in the bundle is named in
  text, never linked.
* **Ids.** Every uuid is a UUIDv5 under the bundle namespace (`scanner.evidence.model.NAMESPACE`)
  from the bundle uuid (which follows from the input reports) and a stable name of the object, so
  the same inputs give the same ids and two different bundles never share one.

The pieces live beside this module: `oscal_mapping` (control-id tokens, states, ids),
`oscal_fields` (props, titles, hrefs), `oscal_evidence` (links to bundle files and back-matter),
`oscal_observations` (per check, per attestation); this module assembles the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scanner.evidence.model import BundleModel, ControlRecord
from scanner.evidence.oscal_context import (
    assessment_document,
    assessment_log,
    control_finding,
    inventory_items,
    risks,
)
from scanner.evidence.oscal_evidence import EvidenceLinks, FileDigests
from scanner.evidence.oscal_fields import (
    DOCUMENT_PATH,
    NS,
    bundle_href,
    media_type_of,
    one_line,
    oscal_prop,
    oscal_timestamp,
    user_text,
    without_empty,
)
from scanner.evidence.oscal_mapping import (
    STATE_MAP,
    OscalError,
    OscalIds,
    control_token,
    control_tokens,
)
from scanner.evidence.oscal_observations import (
    RESULT_STATUSES,
    attestation_observation,
    check_observation,
    count_phrase,
)

__all__ = [
    "DOCUMENT_PATH",
    "NS",
    "OSCAL_VERSION",
    "RESULT_STATUSES",
    "STATE_MAP",
    "FileDigests",
    "OscalError",
    "assessment_results",
    "control_token",
    "control_tokens",
]

OSCAL_VERSION = "1.1.2"


# ---------------------------------------------------------------------------------------------
# Findings


def _finding(
    control: ControlRecord,
    token: str,
    ids: OscalIds,
    evidence: EvidenceLinks,
    related: Sequence[str],
) -> dict[str, Any]:
    links = []
    for path, media in ((control.html_path, "text/html"), (control.md_path, "text/markdown")):
        if evidence.has(path):
            links.append({"href": bundle_href(path), "rel": "reference", "media-type": media})
    description = (
        f"{control.title}. comply status: {control.status.replace('_', ' ')} — "
        f"{user_text(control.reason)}. Findings over the checks mapped to this control: "
        f"{count_phrase(control.counts)}."
    )
    return control_finding(
        ids,
        (control.framework, control.id, control.title, control.automation),
        token,
        (control.status, control.reason),
        description=description,
        links=links,
        related=related,
    )


# ---------------------------------------------------------------------------------------------
# The document


def _tool_component(model: BundleModel, uuid: str) -> dict[str, Any]:
    return {
        "uuid": uuid,
        "type": "software",
        "title": f"{model.tool_name} {model.tool_version}",
        "description": (
            "comply, the policy-as-code scanner that collected the inputs, ran the automated "
            "checks and examined the attestations reported here."
        ),
        "props": [
            oscal_prop("tool-version", model.tool_version),
            oscal_prop("policies-sha256", model.policies_sha256),
            oscal_prop("catalog-sha256", model.catalog_sha256),
        ],
        "status": {"state": "operational"},
    }


def _plan_resource(model: BundleModel, ids: OscalIds, evidence: EvidenceLinks) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "uuid": ids("assessment-plan"),
        "title": one_line(
            f"Assessment plan: comply checks and attestations for {model.framework_name}"
        ),
        "description": (
            f"There is no separate OSCAL assessment plan. The plan is the {model.framework_name} "
            f"catalog ({model.framework_version}; sha256 {model.catalog_sha256}) with its mapping "
            f"of controls to automated checks (policies sha256 {model.policies_sha256}) and the "
            "manual evidence each control needs, as listed in the bundle's coverage.csv."
        ),
        "props": [
            oscal_prop("framework", model.framework),
            oscal_prop("catalog-sha256", model.catalog_sha256),
            oscal_prop("policies-sha256", model.policies_sha256),
        ],
    }
    if evidence.has("coverage.csv"):
        resource["rlinks"] = [evidence.rlink("coverage.csv")]
    return without_empty(resource)


def _result_links(evidence: EvidenceLinks) -> list[dict[str, Any]]:
    links = []
    for path, text in (
        ("index.html", "Evidence bundle index"),
        ("findings.json", "Findings (comply JSON contract)"),
        ("run/metadata.json", "Run metadata"),
        ("coverage.csv", "Coverage matrix"),
    ):
        if evidence.has(path):
            links.append(
                {
                    "href": bundle_href(path),
                    "rel": "reference",
                    "media-type": media_type_of(path),
                    "text": text,
                }
            )
    return links


def assessment_results(model: BundleModel, files: FileDigests) -> dict[str, Any]:
    """The OSCAL assessment-results document for `model`.

    `files` maps bundle-relative paths of the files already written (raw evidence, control pages,
    attestations, ...) to their sha256 hex (or to manifest entries with a `sha256` key).
    """
    ids = OscalIds(model)
    tokens = control_tokens(model.controls)
    evidence = EvidenceLinks(ids, files)
    tool_uuid = ids("component", "tool")

    # Observations first: one per check (shared by every control that maps it) and one per
    # attestation, so findings can point at them.
    observations: list[dict[str, Any]] = []
    by_check: dict[str, str] = {}
    for control in model.controls:
        for result in control.results:
            if result.check_id in by_check:
                continue
            # A check with no result at all in a control no report evaluated was not run:
            # claiming a TEST observation for it would be false.
            if not result.findings and not control.evaluated:
                continue
            observation = check_observation(result, model, ids, evidence, tool_uuid)
            by_check[result.check_id] = observation["uuid"]
            observations.append(observation)
    by_attestation: dict[str, str] = {}
    for attestation in model.attestations:
        judged = (model.attestations_file, model.evaluated_on.isoformat(), model.generated_at)
        observation = attestation_observation(attestation, judged, ids, evidence, tool_uuid)
        by_attestation[attestation.uuid] = observation["uuid"]
        observations.append(observation)

    findings = []
    for control in model.controls:
        related = [by_check[r.check_id] for r in control.results if r.check_id in by_check]
        related += [
            by_attestation[a.uuid]
            for a in model.attestations
            if (a.control.framework, a.control.id) == (control.framework, control.id)
        ]
        findings.append(
            _finding(
                control,
                tokens[(control.framework, control.id)],
                ids,
                evidence,
                list(dict.fromkeys(related)),
            )
        )

    starts = [r.started_at for r in model.reports if r.started_at]
    plan = _plan_resource(model, ids, evidence)
    result_entry = without_empty(
        {
            "uuid": ids("result"),
            "title": one_line(model.title),
            "description": (
                f"Automated checks over {', '.join(model.sources) or 'no'} inputs and "
                f"attestations of manual controls, evaluated on "
                f"{model.evaluated_on.isoformat()}, for every control of "
                f"{model.framework_name} ({model.framework_version})."
            ),
            "start": oscal_timestamp(min(starts) if starts else model.generated_at),
            "end": oscal_timestamp(model.generated_at),
            "props": [
                oscal_prop("control-count", len(model.controls)),
                *(
                    oscal_prop("control-status-count", count, cls=state)
                    for state, count in model.control_summary.items()
                ),
            ],
            "links": _result_links(evidence),
            "local-definitions": without_empty(
                {
                    "components": [_tool_component(model, tool_uuid)],
                    "inventory-items": inventory_items(model, ids),
                }
            ),
            "reviewed-controls": {
                "description": f"Every control of {model.framework_name}.",
                "control-selections": [
                    {
                        "include-controls": [
                            {"control-id": tokens[(c.framework, c.id)]} for c in model.controls
                        ]
                    }
                ],
            },
            "observations": observations,
            "risks": risks(model, ids),
            "findings": findings,
            "assessment-log": assessment_log(model, ids),
        }
    )
    metadata = {
        "title": one_line(f"{model.title} (OSCAL assessment results)"),
        # The bundle's reference time (latest scan end), never the time of export.
        "last-modified": oscal_timestamp(model.generated_at),
        "version": model.generated_at,
        "oscal-version": OSCAL_VERSION,
        "props": [
            oscal_prop("bundle-uuid", model.uuid),
            oscal_prop("bundle-format-version", model.format_version),
            oscal_prop("framework", model.framework),
            oscal_prop("framework-version", model.framework_version),
            oscal_prop("tool", f"{model.tool_name} {model.tool_version}"),
        ],
    }
    return assessment_document(
        model,
        ids,
        metadata=metadata,
        plan=plan,
        plan_remark="catalog, check mapping, coverage.csv",
        result=result_entry,
        back_matter=evidence.back_matter(),
    )
