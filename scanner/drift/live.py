"""The live side of a drift comparison, from a live collection or a snapshot (the same code)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scanner.core.model import Resource, ScanError
from scanner.sources.aws.collectors import all_collectors
from scanner.sources.aws.inventory import normalize_collection


@dataclass
class LiveSide:
    resources: list[Resource]
    errors: list[ScanError]
    collected_types: set[str]  # types of the collectors that ran: absence of these means absence
    accounts: set[str]
    regions: set[str]

    @classmethod
    def from_collection(cls, collection: Any) -> LiveSide:
        """`collection`: an AwsCollection or a Snapshot (raw services, accounts, errors)."""
        errors: list[ScanError] = collection.scan_errors()
        resources = normalize_collection(collection.raw_services, errors)
        services = {service.service for service in collection.raw_services}
        return cls(
            resources=resources,
            errors=errors,
            collected_types={
                t for c in all_collectors() if c.name in services for t in c.resource_types
            },
            accounts={a.account for a in collection.accounts},
            regions={r for a in collection.accounts for r in a.regions},
        )
