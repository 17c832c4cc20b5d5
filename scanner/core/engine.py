"""Run checks over an inventory: one finding per check x matching resource.

The engine never crashes on one bad check: an exception becomes an `error` finding naming the
check, and a check that touches an Unknown value becomes `unknown`. Suppression (inline skips,
waivers) is a compliance decision made above this layer; the caller passes it in as a FindingFilter.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from scanner.core.model import (
    ControlRef,
    Finding,
    NotJudged,
    Resource,
    Result,
    ScanWarning,
    Status,
    UnknownValueError,
)
from scanner.core.registry import CheckSpec, Registry


class FindingFilter(Protocol):
    """Applied to every finding as it is made (for example: mark a waived failure skipped)."""

    def apply(self, finding: Finding) -> None: ...


@dataclass
class Evaluation:
    findings: list[Finding] = field(default_factory=list)
    warnings: list[ScanWarning] = field(default_factory=list)


def _coerce_result(spec: CheckSpec, value: Any) -> Result:
    if isinstance(value, Result):
        return value
    raise TypeError(f"returned {type(value).__name__}, expected Result")


def _applies(spec: CheckSpec, resource: Resource) -> bool:
    """A predicate that cannot decide (it raised) keeps the resource: the check then reports
    unknown or error on it rather than the resource silently leaving the population."""
    assert spec.applies_to is not None
    try:
        return bool(spec.applies_to(resource))
    except Exception:
        return True


def _run_one(spec: CheckSpec, resource: Resource) -> Result:
    try:
        return _coerce_result(spec, spec.function(resource))
    except UnknownValueError as exc:
        return Result.unknown(f"could not evaluate: {exc.reason}")
    except Exception as exc:  # a broken check must not stop the scan
        return Result(Status.ERROR, f"check {spec.id} raised {type(exc).__name__}: {exc}")


def _run_inventory(
    spec: CheckSpec, resources: list[Resource], context: list[Resource]
) -> tuple[list[tuple[Resource, Result]], list[NotJudged]]:
    """Cross-resource checks: every target resource gets exactly one answer, a result or a
    NotJudged (returned apart: it makes no finding); context resources are passed in as
    evidence and get none."""
    target_ids = {id(r) for r in resources}
    pairs: list[tuple[Resource, Result]] = []
    not_judged: list[NotJudged] = []
    answered: set[int] = set()
    try:
        for resource, answer in spec.function([*resources, *context]):
            if id(resource) not in target_ids:
                continue
            answered.add(id(resource))
            if isinstance(answer, NotJudged):
                not_judged.append(answer)
            else:
                pairs.append((resource, _coerce_result(spec, answer)))
    except UnknownValueError as exc:
        unknown = Result.unknown(f"could not evaluate: {exc.reason}")
        return [(r, unknown) for r in resources], []
    except Exception as exc:
        error = Result(Status.ERROR, f"check {spec.id} raised {type(exc).__name__}: {exc}")
        return [(r, error) for r in resources], []
    missing = Result(Status.ERROR, f"check {spec.id} returned no result for this resource")
    return pairs + [(r, missing) for r in resources if id(r) not in answered], not_judged


def _not_judged_warnings(spec: CheckSpec, not_judged: list[NotJudged]) -> list[ScanWarning]:
    counts = Counter(n.reason for n in not_judged if n.warn)
    return [
        ScanWarning(
            spec.id,
            f"{count} {'resource' if count == 1 else 'resources'} not judged: {reason}",
        )
        for reason, count in sorted(counts.items())
    ]


def evaluate(
    inventory: Sequence[Resource],
    checks: Iterable[CheckSpec],
    registry: Registry,
    controls_by_check: Mapping[str, list[ControlRef]] | None = None,
    finding_filter: FindingFilter | None = None,
) -> Evaluation:
    by_type: dict[str, list[Resource]] = defaultdict(list)
    for resource in inventory:
        by_type[resource.type].append(resource)
    controls_by_check = controls_by_check or {}
    evaluation = Evaluation()

    for spec in checks:
        targets = [r for t in spec.resource_types for r in by_type.get(t, ())]
        if spec.sources:
            targets = [r for r in targets if r.source in spec.sources]
        if spec.applies_to is not None:
            targets = [r for r in targets if _applies(spec, r)]
        if not targets:
            continue
        if spec.scope == "inventory":
            context = [r for t in spec.context_types for r in by_type.get(t, ())]
            pairs, not_judged = _run_inventory(spec, targets, context)
            evaluation.warnings.extend(_not_judged_warnings(spec, not_judged))
        else:
            pairs = [(r, _run_one(spec, r)) for r in targets]
        for resource, result in pairs:
            finding = Finding(
                check_id=spec.id,
                title=spec.title,
                severity=spec.severity,
                status=result.status,
                message=result.message,
                resource=resource,
                controls=list(controls_by_check.get(spec.id, ())),
            )
            if finding_filter is not None:
                finding_filter.apply(finding)
            evaluation.findings.append(finding)
    evaluation.findings.sort(
        key=lambda f: (f.location.file or "", f.location.start_line or 0, f.resource.id, f.check_id)
    )
    return evaluation
