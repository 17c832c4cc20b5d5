"""A redacted copy of a ScanReport: what every report format renders, and nothing else.

Checks judged the unredacted inventory; this copy is made after judging, so redaction never
changes a result. Every string in it went through `scanner.core.redaction` (messages, resource
ids, file paths, suppression reasons, scan errors, attestation statements, raw data, context),
and has its control characters made visible (`scanner.core.control_chars`; newlines only in
one-line fields such as ids and paths). Resources carry their redacted `raw` data, not the
attributes checks derived from it.
What the scan decided is carried over, not recomputed from redacted text: a finding keeps the
fingerprint of its real resource id (baselines keep matching) and whether it blocks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any

from scanner.compliance.results import ScanReport
from scanner.core.control_chars import neutralise_controls
from scanner.core.model import Finding, Location, Resource, Unknown
from scanner.core.redaction import redact, redact_text


@dataclasses.dataclass
class RedactedFinding(Finding):
    """A finding whose strings are redacted; its fingerprint is the original's."""

    kept_fingerprint: str = ""

    @property
    def fingerprint(self) -> str:
        return self.kept_fingerprint


@dataclasses.dataclass
class RedactedReport(ScanReport):
    """A report whose strings are redacted; which findings block was decided on the original."""

    blocking: frozenset[int] = frozenset()  # id() of the redacted findings that block

    def is_blocking(self, finding: Finding) -> bool:
        return id(finding) in self.blocking


# Fields of the report's other dataclasses that name a place, never a sentence.
_ONE_LINE_FIELDS = frozenset({"target", "file", "path", "id", "resource_id", "check_id", "source"})


class _Redactor:
    """Copies with every string redacted; one copy per original object (findings share their
    resource, and the inventory holds the same resources)."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.objects: dict[int, Any] = {}

    def text(self, value: str) -> str:
        """A message-like field: redacted, control characters made visible except newlines,
        which every format renders safely (escaped in JSON and GitHub commands, `<br>` in
        Markdown, one line per message on the console)."""
        cached = self.texts.get(value)
        if cached is None:
            redacted = redact_text(value)
            cached = self.texts[value] = neutralise_controls(redacted, keep_newlines=True)
        return cached

    def line(self, value: str) -> str:
        """A one-line field (an id, a path): a newline in it is made visible too."""
        return neutralise_controls(self.text(value))

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.line(value)

    def location(self, location: Location) -> Location:
        return dataclasses.replace(
            location,
            file=self.optional(location.file),
            account=self.optional(location.account),
            region=self.optional(location.region),
        )

    def resource(self, resource: Resource) -> Resource:
        copy = self.objects.get(id(resource))
        if copy is None:
            copy = Resource(
                type=self.line(resource.type),
                id=self.line(resource.id),
                source=resource.source,
                location=self.location(resource.location),
                # No format writes the canonical attributes (they are derived from `raw`, which
                # is written): not carried, which halves the copy (30,000 Kubernetes objects).
                attributes={},
                raw=redact(resource.raw),
                skips=[self.value(skip) for skip in resource.skips],
                extra_locations=[self.location(loc) for loc in resource.extra_locations],
            )
            self.objects[id(resource)] = copy
        return copy

    def finding(self, finding: Finding) -> RedactedFinding:
        return RedactedFinding(
            check_id=finding.check_id,
            title=self.text(finding.title),
            severity=finding.severity,
            status=finding.status,
            message=self.text(finding.message),
            resource=self.resource(finding.resource),
            controls=list(finding.controls),
            suppression_reason=None
            if finding.suppression_reason is None
            else self.text(finding.suppression_reason),
            original_status=finding.original_status,
            suppressed_by=finding.suppressed_by,
            engine=finding.engine,
            cross_references=[dict(ref) for ref in finding.cross_references],
            kept_fingerprint=finding.fingerprint,
        )

    def _field(self, name: str, value: Any) -> Any:
        if isinstance(value, str) and name in _ONE_LINE_FIELDS:
            return self.line(value)
        return self.value(value)

    def value(self, value: Any) -> Any:
        """Any other field: dataclasses field by field, containers item by item."""
        if value is None or isinstance(value, bool | int | float | Enum | date | Unknown):
            return value  # enums first: a StrEnum is also a str
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Resource):
            return self.resource(value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                f.name: self._field(f.name, getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.init
            }
            return dataclasses.replace(value, **changes)
        if isinstance(value, Mapping):
            return redact(value)  # key-name rules apply inside mappings
        if isinstance(value, list | tuple | set | frozenset):
            return type(value)(self.value(item) for item in value)
        return value


def redacted_report(report: ScanReport) -> RedactedReport:
    """The copy every report format renders (given a redacted report, returns it as it is).

    Field by field, so that a field added to ScanReport later is redacted too (generically)."""
    if isinstance(report, RedactedReport):
        return report
    r = _Redactor()
    findings = [r.finding(finding) for finding in report.findings]
    blocking = frozenset(
        id(copy)
        for copy, original in zip(findings, report.findings, strict=True)
        if report.is_blocking(original)
    )
    special: dict[str, Any] = {
        "findings": findings,
        "checks": report.checks,  # comply's own check metadata (and functions): no input data
        "inventory": [r.resource(resource) for resource in report.inventory],
        "context": redact(report.context),
        "targets": [r.line(t) for t in report.targets],
        "root": r.line(report.root),
        "sarif_prefix": r.line(report.sarif_prefix),
        "changed_since": r.optional(report.changed_since),
        "changed_resource_ids": None
        if report.changed_resource_ids is None
        else frozenset(r.line(i) for i in report.changed_resource_ids),
    }
    fields = {
        f.name: special[f.name] if f.name in special else r.value(getattr(report, f.name))
        for f in dataclasses.fields(report)
        if f.init
    }
    return RedactedReport(**fields, blocking=blocking)
