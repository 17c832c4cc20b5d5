"""Security Hub and ACM on what moto cannot show: a refused DescribeHub and a certificate whose
expiry is missing or already past, through the real normalizers."""

from __future__ import annotations

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.registry import load_registry
from scanner.sources.aws.collector import CallError, RawService
from scanner.sources.aws.collectors import acm, securityhub

REGISTRY = load_registry()


def _status(check_id: str, resources: list) -> list[str]:
    findings = evaluate(resources, [REGISTRY.checks[check_id]], REGISTRY).findings
    return [f.status.value for f in findings]


def test_a_refused_describe_hub_is_unknown() -> None:
    refused = CallError("securityhub", "DescribeHub", "eu-west-1", "AccessDenied", "no")
    raw = RawService("securityhub", "111122223333", "eu-west-1", {"hub": refused.as_marker()})
    assert _status("securityhub_account_enabled", list(securityhub.normalize(raw))) == ["unknown"]


def test_certificates_by_expiry_and_use() -> None:
    def cert(name: str, status: str, not_after: str | None, in_use: bool) -> dict:
        entry = {"CertificateArn": f"arn:aws:acm:eu-west-1:1:certificate/{name}"}
        entry.update({"DomainName": name, "Status": status, "InUse": in_use})
        if not_after:
            entry["NotAfter"] = not_after
        return entry

    data = {
        "collected_at": "2026-06-01T00:00:00+00:00",
        "certificates": [
            cert("expired-in-use", "EXPIRED", "2026-05-01T00:00:00+00:00", True),
            cert("expired-unused", "EXPIRED", "2026-05-01T00:00:00+00:00", False),  # not judged
            cert("no-date", "ISSUED", None, True),
            cert("thirty-days", "ISSUED", "2026-07-01T00:00:00+00:00", False),
        ],
    }
    resources = list(acm.normalize(RawService("acm", "1", "eu-west-1", data)))
    assert _status("acm_certificate_not_expiring_30_days", resources) == [
        "fail",
        "unknown",
        "fail",
    ]
