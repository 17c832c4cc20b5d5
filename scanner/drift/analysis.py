"""Drift analysis: state + configuration + live inventory -> `drift_comparison` resources.

One `drift_comparison` resource per managed resource that joined its live counterpart
(`state: managed`), per managed resource absent live (`deleted`) and per live resource no state
manages (`unmanaged`, unless a `drift.ignore` rule covers it). The drift checks
(policies/aws/drift.py) judge these resources like any other, so drift findings carry status,
severity and controls, and flow through every report, baseline, waiver and evidence bundle.

Values copied into a comparison are redacted (scanner.core.redaction); sensitive state values are
already Unknown, which is never drift and never printed. A record's `raw` is its attributes: the
JSON report's `resources` and the evidence bundle's raw evidence carry the comparison itself (the
declared side as compared), beside the live resource's own raw API data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scanner.core.gc_pause import cyclic_gc_paused
from scanner.core.model import Location, Resource, is_unknown
from scanner.core.redaction import redact
from scanner.core.registry import CheckSpec
from scanner.drift.compare import Comparison, compare
from scanner.drift.ignore import IgnoreRule, ignored_by
from scanner.drift.join import join
from scanner.sources.terraform.state import ManagedResource

DRIFT_TYPE = "drift_comparison"
DRIFT_SOURCE = "drift"


@dataclass
class DriftAnalysis:
    records: list[Resource] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def _shown(value: Any) -> Any:
    if is_unknown(value):
        return None
    return redact(value)


def record_id(managed: ManagedResource, several_states: bool) -> str:
    return f"{managed.state_file}:{managed.address}" if several_states else managed.address


def _record(id_: str, location: Location, attributes: dict[str, Any]) -> Resource:
    return Resource(
        type=DRIFT_TYPE,
        id=id_,
        source=DRIFT_SOURCE,
        location=location,
        attributes=attributes,
        raw=dict(attributes),
    )


def _managed_record(
    managed: ManagedResource,
    live: Resource,
    declared_from: str,
    comparison: Comparison,
    record: str,
) -> Resource:
    return _record(
        record,
        managed.resource.location,
        {
            "state": "managed",
            "resource_type": managed.resource.type,
            "address": managed.address,
            "state_file": managed.state_file,
            "live_id": live.id,
            "live_location": live.location.to_dict(),
            "declared_from": declared_from,
            "compared": list(comparison.compared),
            "not_compared": list(comparison.not_compared),
            "drifted": [
                {"attribute": d.attribute, "declared": _shown(d.declared), "live": _shown(d.live)}
                for d in comparison.drifted
            ],
            "worsened_checks": comparison.worsened,
            "improved_checks": comparison.improved,
        },
    )


def _deleted_record(managed: ManagedResource, record: str) -> Resource:
    return _record(
        record,
        managed.resource.location,
        {
            "state": "deleted",
            "resource_type": managed.resource.type,
            "address": managed.address,
            "state_file": managed.state_file,
            "live_id": managed.identity.get("arn") or managed.identity.get("id"),
        },
    )


def _unmanaged_record(live: Resource) -> Resource:
    return _record(
        f"unmanaged:{live.id}",
        live.location,
        {"state": "unmanaged", "resource_type": live.type, "live_id": live.id},
    )


def analyse_drift(
    managed: list[ManagedResource],
    live: list[Resource],
    *,
    declared: dict[str, Resource] | None,
    specs: Sequence[CheckSpec],
    collected_types: set[str],
    accounts: set[str],
    regions: set[str],
    ignore: list[IgnoreRule],
) -> DriftAnalysis:
    """`declared`: the configuration's resources by address (None: compare with the state)."""
    with cyclic_gc_paused():  # the records built live on; the checks' garbage is not cyclic
        return _analyse(managed, live, declared, specs, collected_types, accounts, regions, ignore)


def _analyse(
    managed: list[ManagedResource],
    live: list[Resource],
    declared: dict[str, Resource] | None,
    specs: Sequence[CheckSpec],
    collected_types: set[str],
    accounts: set[str],
    regions: set[str],
    ignore: list[IgnoreRule],
) -> DriftAnalysis:
    specs_by_type: dict[str, list[CheckSpec]] = {}
    for spec in specs:
        if spec.scope != "resource" or (spec.sources and "terraform" not in spec.sources):
            continue  # live-only data cannot be declared; inventory checks judge no one resource
        for type_name in spec.resource_types:
            specs_by_type.setdefault(type_name, []).append(spec)
    joined = join(
        managed, live, collected_types=collected_types, accounts=accounts, regions=regions
    )
    several = len({m.state_file for m in managed}) > 1
    analysis = DriftAnalysis()
    drifted = worsened = 0
    for item, live_resource in joined.pairs:
        source = item.resource
        declared_from = "state"
        if declared is not None:
            configured = declared.get(item.address)
            source = configured if configured is not None else source
            declared_from = "configuration" if configured is not None else "state"
        comparison = compare(source, live_resource, specs_by_type.get(source.type, []))
        drifted += bool(comparison.drifted)
        worsened += bool(comparison.worsened)
        record = record_id(item, several)
        analysis.records.append(
            _managed_record(item, live_resource, declared_from, comparison, record)
        )
    for item in joined.deleted:
        analysis.records.append(_deleted_record(item, record_id(item, several)))
    ignored: dict[str, int] = {}
    unmanaged = 0
    for live_resource in joined.unmanaged:
        rule = ignored_by(live_resource, ignore)
        if rule is not None:
            ignored[rule.reason] = ignored.get(rule.reason, 0) + 1
            continue
        unmanaged += 1
        analysis.records.append(_unmanaged_record(live_resource))
    analysis.summary = {
        "managed": len(managed),
        "joined": len(joined.pairs),
        "drifted": drifted,
        "drift_changes_a_verdict": worsened,
        "deleted": len(joined.deleted),
        "out_of_scope": len(joined.out_of_scope),
        "unmanaged": unmanaged,
        "ignored": dict(sorted(ignored.items())),
        "declared_from": "configuration" if declared is not None else "state",
    }
    return analysis
