"""ACM certificates: when each expires (ListCertificates' summary carries NotAfter, so no call per
certificate)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import CallRecorder, ClientFactory, Collector, RawService

# Without Includes, ListCertificates returns RSA-2048 certificates only: ask for every key type.
_KEY_TYPES = [
    "RSA_1024",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "EC_prime256v1",
    "EC_secp384r1",
    "EC_secp521r1",
]


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    acm = clients("acm", region)
    return {
        # Expiry is measured against this instant, so a snapshot evaluated later agrees.
        "collected_at": datetime.now(UTC).isoformat(),
        "certificates": recorder.paginate(
            acm, "list_certificates", "CertificateSummaryList", Includes={"keyTypes": _KEY_TYPES}
        ),
    }


def _days_to_expiry(not_after: Any, collected_at: Any) -> int | None:
    try:
        end = datetime.fromisoformat(str(not_after))
        now = datetime.fromisoformat(str(collected_at))
    except ValueError:
        return None
    return (end - now).days


def _attributes(summary: Mapping[str, Any], collected_at: Any) -> dict[str, Any]:
    not_after = summary.get("NotAfter")
    return {
        "domain_name": summary.get("DomainName"),
        "status": summary.get("Status"),
        "type": summary.get("Type"),
        "in_use": summary.get("InUse"),
        "not_after": not_after,
        "days_to_expiry": _days_to_expiry(not_after, collected_at) if not_after else None,
    }


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    certificates = raw.data.get("certificates")
    for summary in certificates if isinstance(certificates, list) else []:
        yield Resource(
            type="aws_acm_certificate",
            id=str(summary["CertificateArn"]),
            source="aws",
            location=location,
            attributes=_attributes(summary, raw.data.get("collected_at")),
            raw=dict(summary),
        )


COLLECTOR = Collector(
    name="acm",
    actions=("acm:ListCertificates",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_acm_certificate",),
)
