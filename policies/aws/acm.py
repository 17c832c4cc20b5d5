"""ACM certificates not about to expire (live AWS only: a certificate's expiry is known only once
ACM issued it)."""

from __future__ import annotations

from typing import Any

from scanner.core.model import Resource, Result
from scanner.core.registry import check

EXPIRY_WARNING_DAYS = 30


def _judged(certificate: Any) -> bool:
    """Issued certificates, and expired ones still attached to something."""
    return certificate.get("status") == "ISSUED" or certificate.get("in_use") is True


@check(
    id="acm_certificate_not_expiring_30_days",
    title="ACM certificates do not expire within 30 days",
    severity="medium",
    resource_types=["aws_acm_certificate"],
    references={"aws_config": ["acm-certificate-expiration-check"]},
    sources=["aws"],
    applies_to=_judged,
)
def acm_certificate_not_expiring_30_days(certificate: Resource) -> Result:
    """An expired certificate breaks TLS to the service that serves ePHI: clients fail, or are
    told to click through a warning, which trains them to accept an attacker's certificate
    (transmission security). ACM renews the certificates it issued with DNS validation by itself;
    imported ones, and ones whose validation broke, expire unless someone acts.

    Judged: issued certificates, and expired ones still in use. Days are counted from the
    collection time (a snapshot evaluated later agrees). Fails at 30 days or fewer.

    Remediation: fix the validation record of an ACM certificate so it renews, or import the
    renewed certificate (`aws acm import-certificate --certificate-arn ...`).
    """
    days = certificate.get("days_to_expiry")
    name = certificate.get("domain_name")
    if not isinstance(days, int):
        return Result.unknown(f"the expiry date of {name} is unknown")
    if days < 0:
        return Result.failed(f"{name} expired {-days} days ago and is still in use")
    if days <= EXPIRY_WARNING_DAYS:
        return Result.failed(f"{name} expires in {days} days")
    return Result.passed(f"{name} expires in {days} days")
