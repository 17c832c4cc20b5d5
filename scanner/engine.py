"""Run checks over an inventory: one finding per check x matching resource.

The engine never crashes on one bad check: an exception becomes an `error` finding naming the
check, and a check that touches an Unknown value becomes `unknown`. Inline skips are applied here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from scanner.model import (
    ControlRef,
    Finding,
    Resource,
    Result,
    ScanWarning,
    Status,
    UnknownValueError,
)
from scanner.registry import CheckSpec, Registry


@dataclass
class Evaluation:
    findings: list[Finding] = field(default_factory=list)
    warnings: list[ScanWarning] = field(default_factory=list)


def _coerce_result(spec: CheckSpec, value: Any) -> Result:
    if isinstance(value, Result):
        return value
    raise TypeError(f"returned {type(value).__name__}, expected Result")


def _run_one(spec: CheckSpec, resource: Resource) -> Result:
    try:
        return _coerce_result(spec, spec.function(resource))
    except UnknownValueError as exc:
        return Result.unknown(f"could not evaluate: {exc.reason}")
    except Exception as exc:  # a broken check must not stop the scan
        return Result(Status.ERROR, f"check {spec.id} raised {type(exc).__name__}: {exc}")


def _run_inventory(spec: CheckSpec, resources: list[Resource]) -> list[tuple[Resource, Result]]:
    """Cross-resource checks: every resource of the listed types gets exactly one result."""
    try:
        pairs = [(r, _coerce_result(spec, res)) for r, res in spec.function(resources)]
    except UnknownValueError as exc:
        unknown = Result.unknown(f"could not evaluate: {exc.reason}")
        return [(r, unknown) for r in resources]
    except Exception as exc:
        error = Result(Status.ERROR, f"check {spec.id} raised {type(exc).__name__}: {exc}")
        return [(r, error) for r in resources]
    judged = {id(r) for r, _ in pairs}
    missing = Result(Status.ERROR, f"check {spec.id} returned no result for this resource")
    return pairs + [(r, missing) for r in resources if id(r) not in judged]


def _skip_index(
    resources: Iterable[Resource], registry: Registry, today: date
) -> tuple[dict[tuple[int, str], str], list[ScanWarning]]:
    """Map (resource, check id) to the skip reason; warn about malformed and expired skips."""
    index: dict[tuple[int, str], str] = {}
    warnings: list[ScanWarning] = []
    for resource in resources:
        for skip in resource.skips:
            target = skip.file or resource.id
            check_id = registry.resolve(skip.check_id)
            if check_id is None:
                warnings.append(
                    ScanWarning(target, f"skip names unknown check id {skip.check_id!r}", skip.line)
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


def evaluate(
    inventory: Sequence[Resource],
    checks: Iterable[CheckSpec],
    registry: Registry,
    controls_by_check: Mapping[str, list[ControlRef]] | None = None,
    today: date | None = None,
) -> Evaluation:
    by_type: dict[str, list[Resource]] = defaultdict(list)
    for resource in inventory:
        by_type[resource.type].append(resource)
    skips, warnings = _skip_index(inventory, registry, today or datetime.now(UTC).date())
    controls_by_check = controls_by_check or {}
    evaluation = Evaluation(warnings=warnings)

    for spec in checks:
        targets = [r for t in spec.resource_types for r in by_type.get(t, ())]
        if not targets:
            continue
        if spec.scope == "inventory":
            pairs = _run_inventory(spec, targets)
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
            reason = skips.get((id(resource), spec.id))
            if reason is not None:
                finding.original_status = finding.status
                finding.status = Status.SKIPPED
                finding.suppression_reason = reason
            evaluation.findings.append(finding)
    evaluation.findings.sort(
        key=lambda f: (f.location.file or "", f.location.start_line or 0, f.resource.id, f.check_id)
    )
    return evaluation
