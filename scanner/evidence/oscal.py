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
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from scanner.evidence.model import (
    AttestationRecord,
    BundleModel,
    CheckResult,
    ControlRecord,
    FindingRecord,
    stable_uuid,
)
from scanner.redaction import redact

OSCAL_VERSION = "1.1.2"
DOCUMENT_PATH = "oscal/assessment-results.json"
# Namespace of comply's own props: OSCAL requires names outside its own vocabulary to carry one.
# `.invalid` (RFC 2606) because it names, it does not resolve — the same host as the bundle's
# UUID namespace.
NS = "https://comply.invalid/ns/oscal"

# comply control state -> (OSCAL objective state, OSCAL reason).
STATE_MAP: Mapping[str, tuple[str, str]] = {
    "satisfied": ("satisfied", "pass"),
    "attested": ("satisfied", "pass"),
    "not_satisfied": ("not-satisfied", "fail"),
    "incomplete": ("not-satisfied", "other"),
    "not_applicable": ("not-satisfied", "other"),
}
RESULT_STATUSES = ("pass", "fail", "unknown", "error", "skipped")

_PARENTHESISED = re.compile(r"\(([^()]*)\)")
_NOT_TOKEN = re.compile(r"[^a-z0-9._-]+")
_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")

# What the builder passes per file: the sha256 hex, or a manifest entry {"path", "sha256", ...}.
FileDigests = Mapping[str, str] | Mapping[str, Mapping[str, Any]]


class OscalError(ValueError):
    """The model cannot be expressed in OSCAL as designed (two controls, one token)."""


# ---------------------------------------------------------------------------------------------
# Identifiers


def _token_part(text: str) -> str:
    text = _PARENTHESISED.sub(r"-\1", text.strip()).lower()
    return re.sub(r"-{2,}", "-", _NOT_TOKEN.sub("-", text)).strip("-")


def control_token(framework: str, control_id: str) -> str:
    """The OSCAL control id (a token) of a comply control: `hipaa-164.312-a-2-iv`."""
    token = f"{_token_part(framework) or 'framework'}-{_token_part(control_id) or 'control'}"
    # A framework id that starts with a digit would not make a token; `_` is a legal first char.
    return token if _TOKEN.match(token) else f"_{token}"


def control_tokens(controls: Iterable[ControlRecord]) -> dict[tuple[str, str], str]:
    """(framework, id) -> token, refusing two controls that would share a token."""
    out: dict[tuple[str, str], str] = {}
    owner: dict[str, tuple[str, str]] = {}
    for control in controls:
        key = (control.framework, control.id)
        token = control_token(*key)
        if token in owner and owner[token] != key:
            first = ":".join(owner[token])
            raise OscalError(
                f"controls {first} and {control.framework}:{control.id} both map to the OSCAL "
                f"control id {token!r}; rename one of them"
            )
        owner[token] = key
        out[key] = token
    return out


class _Ids:
    """UUIDv5 per object, scoped by the bundle so two bundles never share an id."""

    def __init__(self, model: BundleModel) -> None:
        self._scope = model.uuid

    def __call__(self, kind: str, *names: str) -> str:
        return stable_uuid("oscal", self._scope, kind, *names)


# ---------------------------------------------------------------------------------------------
# Small builders


def _text(value: object) -> str:
    """User-written text (statements, owners, references) with credential-looking values gone."""
    return str(redact(str(value)))


def _line(value: object) -> str:
    """OSCAL titles are one line; values may not start or end with whitespace."""
    return " ".join(_text(value).split()) or "-"


def _prop(name: str, value: object, *, cls: str | None = None) -> dict[str, Any]:
    prop: dict[str, Any] = {"name": name, "ns": NS, "value": _line(value)}
    if cls is not None:
        prop["class"] = cls
    return prop


def _href(bundle_path: str) -> str:
    """A link from this document (`oscal/...`) to another bundle file."""
    return posixpath.relpath(bundle_path, posixpath.dirname(DOCUMENT_PATH))


def _timestamp(value: str) -> str:
    """Report times are ISO 8601 UTC already; a bare date becomes its midnight UTC."""
    return f"{value}T00:00:00Z" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else value


def _digest(value: str | Mapping[str, Any]) -> str:
    return str(value["sha256"]) if isinstance(value, Mapping) else str(value)


class _Evidence:
    """Relevant-evidence entries for bundle files, and the back-matter resources behind them."""

    def __init__(self, ids: _Ids, files: FileDigests) -> None:
        self._ids = ids
        self._digests = {path: _digest(value) for path, value in files.items()}
        self._resources: dict[str, dict[str, Any]] = {}

    def has(self, path: str | None) -> bool:
        return path is not None and path in self._digests

    def resource(self, path: str, title: str) -> str:
        """The uuid of the back-matter resource for `path` (which must be a bundle file)."""
        if path not in self._resources:
            self._resources[path] = {
                "uuid": self._ids("resource", path),
                "title": _line(title),
                "props": [_prop("bundle-path", path)],
                "rlinks": [self.rlink(path)],
            }
        return str(self._resources[path]["uuid"])

    def rlink(self, path: str) -> dict[str, Any]:
        """An OSCAL rlink to a bundle file with its SHA-256 (the OSCAL-native hash carrier)."""
        rlink: dict[str, Any] = {"href": _href(path)}
        media_type = _media_type(path)
        if media_type:
            rlink["media-type"] = media_type
        rlink["hashes"] = [{"algorithm": "SHA-256", "value": self._digests[path]}]
        return rlink

    def relevant(self, path: str, description: str, title: str) -> dict[str, Any]:
        resource = self.resource(path, title)
        return {
            "href": _href(path),
            "description": description,
            "props": [_prop("sha256", self._digests[path])],
            "links": [{"href": f"#{resource}", "rel": "reference", "text": "hashes"}],
        }

    def back_matter(self) -> list[dict[str, Any]]:
        return [self._resources[path] for path in sorted(self._resources)]


def _media_type(path: str) -> str | None:
    return {
        ".json": "application/json",
        ".html": "text/html",
        ".md": "text/markdown",
        ".csv": "text/csv",
        ".yaml": "application/yaml",
        ".yml": "application/yaml",
        ".pdf": "application/pdf",
        ".txt": "text/plain",
    }.get(posixpath.splitext(path)[1].lower())


def _without_empty(item: dict[str, Any]) -> dict[str, Any]:
    """OSCAL arrays have min 1 item: drop empty lists (and None) instead of writing `[]`."""
    return {k: v for k, v in item.items() if v not in (None, [], {})}


# ---------------------------------------------------------------------------------------------
# Observations


def _count_phrase(counts: Mapping[str, int]) -> str:
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
    return _timestamp(max(times) if times else model.generated_at)


def _check_observation(
    result: CheckResult,
    model: BundleModel,
    ids: _Ids,
    evidence: _Evidence,
    tool_uuid: str,
) -> dict[str, Any]:
    findings = result.findings
    types = ", ".join(result.resource_types) or "none"
    description = (
        f"comply ran the automated check `{result.check_id}` ({result.title}; severity "
        f"{result.severity or 'unknown'}) over every resource of type {types} in the scanned "
        f"inputs: {len(findings)} result(s): {_count_phrase(result.counts)}."
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
        _prop("check-id", result.check_id),
        *([_prop("severity", result.severity)] if result.severity else []),
        *(_prop("result-count", result.counts.get(s, 0), cls=s) for s in RESULT_STATUSES),
    ]
    return _without_empty(
        {
            "uuid": ids("observation", "check", result.check_id),
            "title": _line(f"Automated check {result.check_id}: {result.title}"),
            "description": description,
            "props": props,
            "methods": ["TEST"],
            "origins": [{"actors": [{"type": "tool", "actor-uuid": tool_uuid}]}],
            "relevant-evidence": relevant,
            "collected": _collected(findings, model),
            "remarks": "\n\n".join(remarks) or None,
        }
    )


def _attestation_observation(
    attestation: AttestationRecord,
    model: BundleModel,
    ids: _Ids,
    evidence: _Evidence,
    tool_uuid: str,
) -> dict[str, Any]:
    control = f"{attestation.control.framework}:{attestation.control.id}"
    relevant = []
    copied = model.attestations_file
    if copied is not None and evidence.has(copied.bundle_path):
        relevant.append(
            evidence.relevant(
                copied.bundle_path,
                f"The attestations file ({_text(copied.name)}) that holds this statement"
                + (" (credential-looking values redacted)." if copied.redacted else "."),
                f"Attestations file {copied.name}",
            )
        )
    for item in attestation.evidence:
        reference = _text(item.reference)
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
        "title": _line(f"Attestation of {control} by {attestation.owner}"),
        "description": (
            f"comply examined the attestation for {control} ({_text(attestation.source)}): "
            f'"{_text(attestation.statement)}" — attested by {_text(attestation.owner)} on '
            f"{attestation.date}, {attestation.status} on the bundle's evaluation date "
            f"{model.evaluated_on.isoformat()}."
        ),
        "props": [
            _prop("control-id", attestation.control.id),
            _prop("attested-by", attestation.owner),
            _prop("attestation-date", attestation.date),
            _prop("attestation-expires", attestation.expires),
            _prop("attestation-current", "true" if attestation.current else "false"),
        ],
        "methods": ["EXAMINE"],
        "origins": [{"actors": [{"type": "tool", "actor-uuid": tool_uuid}]}],
        "relevant-evidence": relevant,
        "collected": _timestamp(model.generated_at),
        # The attestation is valid through its `expires` day, inclusive.
        "expires": f"{attestation.expires}T23:59:59Z",
    }
    return _without_empty(observation)


# ---------------------------------------------------------------------------------------------
# Findings


def _finding(
    control: ControlRecord,
    token: str,
    ids: _Ids,
    evidence: _Evidence,
    related: Sequence[str],
) -> dict[str, Any]:
    state, reason = STATE_MAP.get(control.status, ("not-satisfied", "other"))
    props = [
        _prop("control-id", control.id),
        _prop("framework", control.framework),
        _prop("control-status", control.status),
        _prop("automation", control.automation),
    ]
    if control.status == "attested":
        props.append(_prop("attested", "true"))
    if state == "not-satisfied" and reason == "other":
        props.append(_prop("not-satisfied-reason", control.reason))
    target_props = [_prop("control-id", control.id)]
    links = []
    for path, media in ((control.html_path, "text/html"), (control.md_path, "text/markdown")):
        if evidence.has(path):
            links.append({"href": _href(path), "rel": "reference", "media-type": media})
    description = (
        f"{control.title}. comply status: {control.status.replace('_', ' ')} — "
        f"{_text(control.reason)}. Findings over the checks mapped to this control: "
        f"{_count_phrase(control.counts)}."
    )
    target = _without_empty(
        {
            "type": "objective-id",
            "target-id": token,
            "title": _line(f"{control.id} {control.title}"),
            "props": target_props,
            "status": {"state": state, "reason": reason, "remarks": _text(control.reason)},
        }
    )
    return _without_empty(
        {
            "uuid": ids("finding", control.framework, control.id),
            "title": _line(f"{control.id} {control.title}"),
            "description": description,
            "props": props,
            "links": links,
            "target": target,
            "related-observations": [{"observation-uuid": uuid} for uuid in related],
        }
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
            _prop("tool-version", model.tool_version),
            _prop("policies-sha256", model.policies_sha256),
            _prop("catalog-sha256", model.catalog_sha256),
        ],
        "status": {"state": "operational"},
    }


def _plan_resource(model: BundleModel, ids: _Ids, evidence: _Evidence) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "uuid": ids("assessment-plan"),
        "title": _line(
            f"Assessment plan: comply checks and attestations for {model.framework_name}"
        ),
        "description": (
            f"There is no separate OSCAL assessment plan. The plan is the {model.framework_name} "
            f"catalog ({model.framework_version}; sha256 {model.catalog_sha256}) with its mapping "
            f"of controls to automated checks (policies sha256 {model.policies_sha256}) and the "
            "manual evidence each control needs, as listed in the bundle's coverage.csv."
        ),
        "props": [
            _prop("framework", model.framework),
            _prop("catalog-sha256", model.catalog_sha256),
            _prop("policies-sha256", model.policies_sha256),
        ],
    }
    if evidence.has("coverage.csv"):
        resource["rlinks"] = [evidence.rlink("coverage.csv")]
    return _without_empty(resource)


def _result_links(evidence: _Evidence) -> list[dict[str, Any]]:
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
                    "href": _href(path),
                    "rel": "reference",
                    "media-type": _media_type(path),
                    "text": text,
                }
            )
    return links


def assessment_results(model: BundleModel, files: FileDigests) -> dict[str, Any]:
    """The OSCAL assessment-results document for `model`.

    `files` maps bundle-relative paths of the files already written (raw evidence, control pages,
    attestations, ...) to their sha256 hex (or to manifest entries with a `sha256` key).
    """
    ids = _Ids(model)
    tokens = control_tokens(model.controls)
    evidence = _Evidence(ids, files)
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
            observation = _check_observation(result, model, ids, evidence, tool_uuid)
            by_check[result.check_id] = observation["uuid"]
            observations.append(observation)
    by_attestation: dict[str, str] = {}
    for attestation in model.attestations:
        observation = _attestation_observation(attestation, model, ids, evidence, tool_uuid)
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
    result_entry = _without_empty(
        {
            "uuid": ids("result"),
            "title": _line(model.title),
            "description": (
                f"Automated checks over {', '.join(model.sources) or 'no'} inputs and "
                f"attestations of manual controls, evaluated on "
                f"{model.evaluated_on.isoformat()}, for every control of "
                f"{model.framework_name} ({model.framework_version})."
            ),
            "start": _timestamp(min(starts) if starts else model.generated_at),
            "end": _timestamp(model.generated_at),
            "props": [
                _prop("control-count", len(model.controls)),
                *(
                    _prop("control-status-count", count, cls=state)
                    for state, count in model.control_summary.items()
                ),
            ],
            "links": _result_links(evidence),
            "local-definitions": {"components": [_tool_component(model, tool_uuid)]},
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
            "findings": findings,
        }
    )
    metadata = {
        "title": _line(f"{model.title} (OSCAL assessment results)"),
        # The bundle's reference time (latest scan end), never the time of export.
        "last-modified": _timestamp(model.generated_at),
        "version": model.generated_at,
        "oscal-version": OSCAL_VERSION,
        "props": [
            _prop("bundle-uuid", model.uuid),
            _prop("bundle-format-version", model.format_version),
            _prop("framework", model.framework),
            _prop("framework-version", model.framework_version),
            _prop("tool", f"{model.tool_name} {model.tool_version}"),
        ],
    }
    return {
        "assessment-results": {
            "uuid": ids("assessment-results"),
            "metadata": metadata,
            "import-ap": {
                "href": f"#{plan['uuid']}",
                "remarks": (
                    "No separate OSCAL assessment plan exists: this fragment points at the "
                    "back-matter resource that describes the plan (catalog, check mapping, "
                    "coverage.csv)."
                ),
            },
            "results": [result_entry],
            "back-matter": {"resources": [plan, *evidence.back_matter()]},
        }
    }
