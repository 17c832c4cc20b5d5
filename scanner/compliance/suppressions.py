"""Turn findings into `skipped`: inline skips written on resources, and waivers from a file.

Both carry a reason that ends up in every report. What cannot apply is said, not ignored: a skip
naming an unknown check, a skip without reason, an expired skip or waiver, a waiver that matches
no check or no resource, inline skips in a repository whose configuration forbids them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase

from scanner.compliance.waivers import Waiver
from scanner.core.engine import Evaluation, evaluate
from scanner.core.model import ControlRef, Finding, Resource, ScanWarning, Status
from scanner.core.registry import CheckSpec, Registry
from scanner.core.wording import did_you_mean, plural

INLINE = "inline"
WAIVER = "waiver"


@dataclass
class Suppressor:
    inline: dict[tuple[int, str], str] = field(default_factory=dict)  # (id(resource), check) -> why
    waivers: list[Waiver] = field(default_factory=list)  # the active ones

    def apply(self, finding: Finding) -> None:
        if finding.status is Status.ERROR:
            return  # a crashed check is a scan error: no skip or waiver may hide it
        reason = self.inline.get((id(finding.resource), finding.check_id)) if self.inline else None
        kind = INLINE
        if reason is None:
            # A waiver accepts the risk of a failure: a passing (or unknown) finding stays what
            # it is, so that a waiver never hides a pass behind `skipped` nor an unknown.
            if not self.waivers or finding.status is not Status.FAIL:
                return
            waiver = next(
                (w for w in self.waivers if w.matches(finding.check_id, finding.resource.id)), None
            )
            if waiver is None:
                return
            reason, kind = waiver.describe(), WAIVER
        finding.original_status = finding.status
        finding.status = Status.SKIPPED
        finding.suppression_reason = reason
        finding.suppressed_by = kind


def _inline_skips(
    resources: Iterable[Resource], registry: Registry, today: date, allowed: bool
) -> tuple[dict[tuple[int, str], str], list[ScanWarning]]:
    index: dict[tuple[int, str], str] = {}
    warnings: list[ScanWarning] = []
    for resource in resources:
        for skip in resource.skips:
            target = skip.file or resource.id
            if not allowed:
                warnings.append(
                    ScanWarning(
                        target,
                        f"inline skip of {skip.check_id} on {resource.id} ignored: the "
                        "configuration forbids inline skips (use a waiver)",
                        skip.line,
                    )
                )
                continue
            check_id = registry.resolve(skip.check_id)
            if check_id is None:
                warnings.append(
                    ScanWarning(
                        target,
                        f"skip names unknown check id {skip.check_id!r}"
                        + did_you_mean(skip.check_id, [*registry.checks, *registry.aliases]),
                        skip.line,
                    )
                )
                continue
            if skip.expires is not None and skip.expires < today:
                warnings.append(
                    ScanWarning(
                        target,
                        f"skip of {skip.check_id} on {resource.id} expired on "
                        f"{skip.expires.isoformat()} and no longer applies",
                        skip.line,
                    )
                )
                continue
            if not skip.reason.strip():
                warnings.append(
                    ScanWarning(
                        target,
                        f"skip of {skip.check_id} on {resource.id} has no reason; add one after "
                        "the check id",
                        skip.line,
                    )
                )
            index[(id(resource), check_id)] = skip.reason.strip() or "no reason given"
    return index, warnings


def _active_waivers(
    waivers: Sequence[Waiver], registry: Registry, today: date, resource_ids: Sequence[str]
) -> tuple[list[Waiver], list[ScanWarning]]:
    active: list[Waiver] = []
    warnings: list[ScanWarning] = []
    for waiver in waivers:
        current = registry.aliases.get(waiver.check)
        if current is not None:  # a retired id keeps working, as it does for inline skips
            waiver = replace(waiver, check=current)
        if not waiver.is_active(today):
            warnings.append(
                ScanWarning(
                    waiver.source,
                    f"waiver of {waiver.check} on {waiver.resource} ({waiver.ticket}) expired on "
                    f"{waiver.expires.isoformat()} and no longer applies",
                )
            )
            continue
        known_ids = [*registry.checks, *registry.aliases]
        # `checkov.CKV_...`: a second engine's id (docs/engines.md), not in comply's registry.
        second_engine = waiver.check.startswith("checkov.")
        if not second_engine and not any(waiver.matches_check(i) for i in known_ids):
            warnings.append(
                ScanWarning(
                    waiver.source,
                    f"waiver check {waiver.check!r} matches no check id"
                    + did_you_mean(waiver.check, known_ids),
                )
            )
        elif not any(fnmatchcase(resource_id, waiver.resource) for resource_id in resource_ids):
            # Most often an id written from another scan root or source: the waiver waives nothing.
            warnings.append(
                ScanWarning(
                    waiver.source,
                    f"waiver resource {waiver.resource!r} matches none of the "
                    f"{plural(len(resource_ids), 'resource')} scanned{_id_examples(resource_ids)}",
                )
            )
        active.append(waiver)
    return active, warnings


def _id_examples(resource_ids: Sequence[str]) -> str:
    shown = sorted(resource_ids)[:2]
    return f" (ids look like {', '.join(repr(i) for i in shown)})" if shown else ""


def build_suppressor(
    inventory: Iterable[Resource],
    registry: Registry,
    *,
    today: date,
    waivers: Sequence[Waiver] = (),
    allow_inline_skips: bool = True,
) -> tuple[Suppressor, list[ScanWarning]]:
    inventory = list(inventory)
    inline, inline_warnings = _inline_skips(inventory, registry, today, allow_inline_skips)
    ids = sorted({resource.id for resource in inventory}) if waivers else []
    active, waiver_warnings = _active_waivers(waivers, registry, today, ids)
    return Suppressor(inline, active), [*inline_warnings, *waiver_warnings]


def evaluate_with_suppressions(
    inventory: Sequence[Resource],
    checks: Iterable[CheckSpec],
    registry: Registry,
    controls_by_check: Mapping[str, list[ControlRef]] | None = None,
    *,
    today: date | None = None,
    waivers: Sequence[Waiver] = (),
    allow_inline_skips: bool = True,
) -> Evaluation:
    """Evaluate the checks with inline skips and active waivers applied to each finding."""
    suppressor, warnings = build_suppressor(
        inventory,
        registry,
        today=today or datetime.now(UTC).date(),
        waivers=waivers,
        allow_inline_skips=allow_inline_skips,
    )
    evaluation = evaluate(inventory, checks, registry, controls_by_check, suppressor)
    evaluation.warnings[:0] = warnings
    return evaluation
