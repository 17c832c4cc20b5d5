"""Coverage matrix and HIPAA <-> SOC 2 crosswalk, derived from the catalogs and the registry."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from scanner.compliance.catalog import Catalog, Control, Scope
from scanner.core.registry import Registry

SOURCES = ("terraform", "aws", "kubernetes", "drift")
# What `comply drift` builds (scanner/drift/analysis.py, a layer above this one): the drift
# checks judge the comparison of Terraform state with live AWS, neither source alone.
DRIFT_TYPE = "drift_comparison"


@lru_cache(maxsize=1)
def live_aws_types() -> frozenset[str]:
    """Canonical types the live AWS collectors produce: the matrix claims only real coverage."""
    from scanner.sources.aws.collectors import all_collectors

    return frozenset(t for collector in all_collectors() for t in collector.resource_types)


def sources_for_type(resource_type: str) -> set[str]:
    if resource_type == DRIFT_TYPE:
        return {"drift"}
    if resource_type.startswith("kubernetes_"):
        return {"kubernetes"}
    if resource_type.startswith("aws_"):
        return {"terraform", "aws"} if resource_type in live_aws_types() else {"terraform"}
    return set()


@dataclass(frozen=True)
class CoverageRow:
    control: Control
    checks_by_source: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.control.framework,
            "id": self.control.id,
            "title": self.control.title,
            "category": self.control.category,
            "automation": self.control.automation,
            "checks": len(self.control.checks),
            **self.checks_by_source,
        }


def coverage_rows(catalog: Catalog, registry: Registry, scope: Scope) -> list[CoverageRow]:
    rows = []
    for control in catalog.controls(scope):
        counts = dict.fromkeys(SOURCES, 0)
        for check_id in control.checks:
            current = registry.resolve(check_id)
            spec = registry.checks.get(current) if current else None
            if spec is None:
                continue
            served = set().union(*(sources_for_type(t) for t in spec.resource_types))
            if spec.sources:
                served &= set(spec.sources)
            for source in served:
                counts[source] += 1
        rows.append(CoverageRow(control, counts))
    return rows


@dataclass(frozen=True)
class CrosswalkEntry:
    left: Control
    right: Control
    shared_checks: tuple[str, ...]
    explicit: bool

    @property
    def basis(self) -> str:
        parts = []
        if self.explicit:
            parts.append("mapped explicitly")
        if self.shared_checks:
            parts.append("shared checks: " + ", ".join(self.shared_checks))
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            self.left.framework: self.left.id,
            self.right.framework: self.right.id,
            "shared_checks": list(self.shared_checks),
            "explicit": self.explicit,
        }


def crosswalk(catalog: Catalog, left: str, right: str) -> list[CrosswalkEntry]:
    """Pairs of controls that one scan evidences together: shared checks or explicit `related`."""
    lefts = catalog.controls(Scope(frameworks=(left,)))
    rights = {c.id: c for c in catalog.controls(Scope(frameworks=(right,)))}
    entries = []
    for a in lefts:
        for b in rights.values():
            shared = tuple(sorted(set(a.checks) & set(b.checks)))
            explicit = b.ref in a.related or a.ref in b.related
            if shared or explicit:
                entries.append(CrosswalkEntry(a, b, shared, explicit))
    return entries


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return buffer.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    return "\n".join(lines) + "\n"
