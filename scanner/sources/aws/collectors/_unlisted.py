"""A placeholder for a listing that failed, for resources that only serve as context.

Metric filters and alarms are never judged themselves; the CIS alarm checks look for them. When
their listing fails, emitting nothing would make those checks fail ("no filter") on data they
never saw. The placeholder carries an Unknown in the attribute the checks match on, so they
report unknown instead, naming the failed call. (The failed call is also a collection error.)
"""

from __future__ import annotations

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import RawService


def unlisted_placeholder(raw: RawService, type_name: str, key: str, failed: Unknown) -> Resource:
    return Resource(
        type=type_name,
        id=f"{type_name}:{raw.account}:{raw.region}:unlisted",
        source="aws",
        location=Location(account=raw.account, region=raw.region),
        attributes={key: failed, "unlisted": True},
        raw=None,
    )
