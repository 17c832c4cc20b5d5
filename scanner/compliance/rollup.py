"""Roll findings and attestations up to a status per control.

Precedence (design and issue): a failing finding beats everything (`not_satisfied`); then an
unknown or error finding (`incomplete`); then the manual part — a current attestation makes the
control `attested`, a missing or lapsed one leaves it `incomplete`; then passing findings
(`satisfied`). `not_applicable` only for a fully automated control with no resource in scope.
Nothing is ever `satisfied` on missing data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from scanner.compliance.attestations import Attestation, best_attestation
from scanner.compliance.catalog import Catalog, Control, Scope
from scanner.core.model import ControlRef, Finding, Status
from scanner.core.wording import plural


class ControlState(StrEnum):
    SATISFIED = "satisfied"
    ATTESTED = "attested"
    NOT_SATISFIED = "not_satisfied"
    INCOMPLETE = "incomplete"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class ControlStatus:
    control: Control
    state: ControlState
    counts: Mapping[str, int]
    reason: str
    attestation: Attestation | None = None
    evaluated_on: date | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "framework": self.control.framework,
            "id": self.control.id,
            "title": self.control.title,
            "status": self.state.value,
            "automation": self.control.automation,
            "counts": dict(self.counts),
            "checks": list(self.control.checks),
            "reason": self.reason,
            "attestation": None,
        }
        if self.control.category:
            out["category"] = self.control.category
        if self.attestation is not None and self.evaluated_on is not None:
            out["attestation"] = self.attestation.to_dict(self.evaluated_on)
        return out


def _manual_part(
    control: Control, attestation: Attestation | None, today: date
) -> tuple[ControlState, str]:
    if attestation is not None and attestation.is_current(today):
        return (
            ControlState.ATTESTED,
            f"attested by {attestation.owner} on {attestation.date.isoformat()}, "
            f"current until {attestation.expires.isoformat()}",
        )
    needed = "; ".join(control.manual_evidence) or "an attestation of the manual part"
    if attestation is None:
        return ControlState.INCOMPLETE, f"no attestation; manual evidence needed: {needed}"
    return (
        ControlState.INCOMPLETE,
        f"attestation {attestation.status_on(today)}; manual evidence needed: {needed}",
    )


def control_state(
    control: Control, counts: Counter[Status], attestation: Attestation | None, today: date
) -> tuple[ControlState, str]:
    if counts[Status.FAIL]:
        return ControlState.NOT_SATISFIED, f"{plural(counts[Status.FAIL], 'failing finding')}"
    if counts[Status.UNKNOWN] or counts[Status.ERROR]:
        return (
            ControlState.INCOMPLETE,
            f"{counts[Status.UNKNOWN]} unknown and {counts[Status.ERROR]} error "
            f"{'finding' if counts[Status.UNKNOWN] + counts[Status.ERROR] == 1 else 'findings'} "
            "could not be evaluated",
        )
    if control.has_manual_part:
        return _manual_part(control, attestation, today)
    if not any(counts.values()):
        return ControlState.NOT_APPLICABLE, "no resource in scope"
    if not counts[Status.PASS]:
        return ControlState.INCOMPLETE, "every finding is suppressed"
    return ControlState.SATISFIED, f"{plural(counts[Status.PASS], 'passing finding')}"


def rollup_controls(
    catalog: Catalog,
    findings: Iterable[Finding],
    *,
    today: date,
    scope: Scope | None = None,
    attestations: Mapping[ControlRef, list[Attestation]] | None = None,
) -> list[ControlStatus]:
    by_check: dict[str, Counter[Status]] = defaultdict(Counter)
    for finding in findings:
        by_check[finding.check_id][finding.status] += 1
    attestations = attestations or {}
    statuses: list[ControlStatus] = []
    for control in catalog.controls(scope):
        counts: Counter[Status] = Counter()
        for check_id in control.checks:
            counts.update(by_check.get(check_id, Counter()))
        attestation = best_attestation(attestations.get(control.ref, ()), today)
        state, reason = control_state(control, counts, attestation, today)
        statuses.append(
            ControlStatus(
                control=control,
                state=state,
                counts={s.value: counts.get(s, 0) for s in Status},
                reason=reason,
                attestation=attestation,
                evaluated_on=today,
            )
        )
    return statuses
