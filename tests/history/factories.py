"""Small, explicit ScanReports for store tests: findings built from (check, resource, status)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from scanner.compliance.results import ScanReport
from scanner.core.model import ControlRef, Finding, Location, Resource, ScanError, Severity, Status

T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def night(n: int) -> datetime:
    return T0 + timedelta(days=n)


@dataclass(frozen=True)
class F:
    check: str
    resource: str
    status: str
    severity: str = "high"
    line: int = 1
    message: str = ""


def resource(resource_id: str, line: int = 1, attributes: dict[str, Any] | None = None) -> Resource:
    return Resource(
        type=resource_id.split(".")[0],
        id=resource_id,
        source="terraform",
        location=Location(file="main.tf", start_line=line, end_line=line + 3),
        attributes=attributes or {"name": resource_id},
    )


def report(
    items: Iterable[F],
    *,
    started: datetime = T0,
    population: Iterable[Resource] | None = None,
    errors: Iterable[ScanError] = (),
) -> ScanReport:
    findings = []
    resources: dict[str, Resource] = {}
    for item in items:
        res = resources.get(item.resource) or resource(item.resource, item.line)
        resources[item.resource] = res
        findings.append(
            Finding(
                check_id=item.check,
                title=f"title of {item.check}",
                severity=Severity(item.severity),
                status=Status(item.status),
                message=item.message or f"{item.check} on {item.resource}: {item.status}",
                resource=Resource(
                    res.type, res.id, res.source, Location("main.tf", item.line, item.line + 3), {}
                ),
                controls=[ControlRef("hipaa", "164.312(b)"), ControlRef("soc2", "CC7.2")],
            )
        )
    return ScanReport(
        tool_version="0.1.0",
        source="terraform",
        targets=["infra"],
        root="/tmp/infra",
        started_at=started,
        finished_at=started + timedelta(minutes=1),
        findings=findings,
        checks={},
        errors=list(errors),
        inventory=list(population) if population is not None else list(resources.values()),
        context={"arguments": ["comply", "scan", "terraform", "infra"]},
    )
