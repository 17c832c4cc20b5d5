"""Shared builder for the report-format tests: one ScanReport with every status and shape.

(Named test_*.py so it lives among the report tests; it holds no tests itself.)
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.compliance.catalog import Control
from scanner.compliance.results import BaselineComparison, BaselineEntry, ScanReport
from scanner.compliance.rollup import ControlState, ControlStatus
from scanner.core.model import (
    ControlRef,
    Finding,
    Location,
    Resource,
    ScanError,
    ScanWarning,
    Severity,
    Status,
    fingerprint,
)
from scanner.core.registry import CheckSpec

ROOT = "/work/repo"
HIPAA_ENC = ControlRef("hipaa", "164.312(a)(2)(iv)")
SOC2_ENC = ControlRef("soc2", "CC6.1")
SOC2_LOG = ControlRef("soc2", "CC7.2")
SECRET = "AKIAIOSFODNN7EXAMPLE-super-secret"


def _encrypted(resource: Any) -> None:
    """Unencrypted buckets expose PHI at rest.

    Remediation: add an `aws_s3_bucket_server_side_encryption_configuration` with `aws:kms`.
    """


def _versioned(resource: Any) -> None:
    """Versioning keeps prior object versions so deleted PHI can be recovered.

    Remediation: enable versioning on the bucket.
    """


def _logging(resource: Any) -> None:
    """Trails record API activity for audit."""


def _spec(check_id: str, title: str, severity: Severity, function: Any) -> CheckSpec:
    return CheckSpec(
        id=check_id,
        title=title,
        severity=severity,
        resource_types=("aws_s3_bucket",),
        function=function,
        module="policies.aws.s3",
    )


CHECKS = {
    spec.id: spec
    for spec in (
        _spec(
            "s3_bucket_encrypted_at_rest",
            "S3 buckets encrypt objects at rest",
            Severity.HIGH,
            _encrypted,
        ),
        _spec(
            "s3_bucket_versioning_enabled", "S3 buckets keep versions", Severity.MEDIUM, _versioned
        ),
        _spec(
            "cloudtrail_trail_multi_region",
            "CloudTrail covers every region",
            Severity.CRITICAL,
            _logging,
        ),
    )
}


def _public(resource: Any) -> None:
    """Public buckets can leak PHI to anyone on the internet."""


# Checks only the pull-request report uses (kept out of CHECKS so the other formats' tests keep
# their exact rule sets).
PR_CHECKS = {
    spec.id: spec
    for spec in (
        _spec(
            "s3_bucket_public_access_blocked",
            "S3 buckets block public access",
            Severity.CRITICAL,
            _public,
        ),
    )
}


def bucket(name: str, file: str, start: int, end: int) -> Resource:
    return Resource(
        type="aws_s3_bucket",
        id=f"aws_s3_bucket.{name}",
        source="terraform",
        location=Location(file=file, start_line=start, end_line=end),
        attributes={"bucket": name, "secret_token": SECRET},
        raw={"password": SECRET},
    )


def finding(
    check_id: str,
    status: Status,
    message: str,
    resource: Resource,
    controls: list[ControlRef],
    **extra: Any,
) -> Finding:
    spec = CHECKS.get(check_id) or PR_CHECKS[check_id]
    return Finding(
        check_id=check_id,
        title=spec.title,
        severity=spec.severity,
        status=status,
        message=message,
        resource=resource,
        controls=controls,
        **extra,
    )


def control_status(framework: str, control_id: str, state: ControlState) -> ControlStatus:
    control = Control(
        framework=framework,
        id=control_id,
        title=f"Control {control_id}",
        requirement="Protect data.",
        automation="automated",
        checks=("s3_bucket_encrypted_at_rest",),
    )
    counts = {s.value: 0 for s in Status}
    return ControlStatus(control, state, counts, reason="test")


def build_report(**overrides: Any) -> ScanReport:
    reports = bucket("reports", "modules/storage/s3.tf", 40, 52)
    logs = bucket("logs", "s3.tf", 3, 9)
    odd = bucket("odd", "dir with space/main.tf", 1, 4)
    trail = Resource(
        type="aws_cloudtrail",
        id="arn:aws:cloudtrail:us-east-1:123456789012:trail/main",
        source="aws",
        location=Location(account="123456789012", region="us-east-1"),
        attributes={"is_multi_region_trail": False, "kms_key_id": SECRET},
    )
    findings = [
        finding(
            "s3_bucket_encrypted_at_rest",
            Status.PASS,
            "Bucket logs is encrypted with aws:kms",
            logs,
            [HIPAA_ENC, SOC2_ENC],
        ),
        finding(
            "s3_bucket_encrypted_at_rest",
            Status.FAIL,
            'Bucket reports has no encryption <configured> & "none" [bold]x[/bold]',
            reports,
            [HIPAA_ENC, SOC2_ENC],
        ),
        finding(
            "s3_bucket_versioning_enabled",
            Status.UNKNOWN,
            "Versioning depends on var.versioning, which is not set",
            reports,
            [SOC2_ENC],
        ),
        finding(
            "s3_bucket_versioning_enabled",
            Status.ERROR,
            "check crashed: KeyError: 'status'",
            logs,
            [SOC2_ENC],
        ),
        finding(
            "s3_bucket_versioning_enabled",
            Status.SKIPPED,
            "Bucket odd has no versioning",
            odd,
            [SOC2_ENC],
            suppression_reason="scratch bucket, no PHI",
            original_status=Status.FAIL,
        ),
        finding(
            "s3_bucket_encrypted_at_rest",
            Status.SKIPPED,
            "Bucket odd is encrypted",
            odd,
            [HIPAA_ENC],
            suppression_reason="covered elsewhere",
            original_status=Status.PASS,
        ),
        finding(
            "cloudtrail_trail_multi_region",
            Status.FAIL,
            "Trail main covers one region only",
            trail,
            [SOC2_LOG],
        ),
    ]
    values: dict[str, Any] = {
        "tool_version": "0.1.0",
        "source": "terraform",
        "targets": ["infra"],
        "root": ROOT,
        "started_at": datetime(2026, 11, 26, 3, 0, 0, 123456, tzinfo=UTC),
        "finished_at": datetime(2026, 11, 26, 3, 0, 4, tzinfo=UTC),
        "findings": findings,
        "checks": dict(CHECKS),
        "errors": [ScanError("broken.tf", "Unexpected token '}' <here> & there", line=3)],
        "warnings": [
            ScanWarning("main.tf", "skip of s3_bucket_versioning_enabled has no reason", line=12)
        ],
        "controls": [
            control_status("hipaa", "164.312(a)(2)(iv)", ControlState.NOT_SATISFIED),
            control_status("hipaa", "164.312(b)", ControlState.SATISFIED),
            control_status("hipaa", "164.308(a)(1)", ControlState.INCOMPLETE),
            control_status("soc2", "CC6.1", ControlState.NOT_SATISFIED),
            control_status("soc2", "CC7.2", ControlState.NOT_APPLICABLE),
        ],
        "frameworks": [],
        "severity_threshold": Severity.HIGH,
        "resources_scanned": 4,
        "files_scanned": 3,
    }
    values.update(overrides)
    return ScanReport(**values)


PR_CHANGED_SINCE = "origin/main"
BASELINE_PATH = ".comply-baseline.json"


def build_pr_report(**overrides: Any) -> ScanReport:
    """build_report() as a pull-request scan sees it: a baseline and a diff-aware change set.

    Threshold high, root scanned as `infra/` from the repository root. Failures:
    - aws_s3_bucket.reports encryption (high, changed, new): blocking
    - aws_s3_bucket.phi public access (critical, changed, new; `|` and a line break in the
      message): blocking
    - aws_s3_bucket.phi versioning (medium): below the threshold
    - aws_s3_bucket.legacy encryption (high, changed): accepted in the baseline
    - the CloudTrail trail (critical, live AWS, not changed): outside the change
    The baseline also lists aws_s3_bucket.archive encryption, which no longer fails: fixed.
    """
    base = build_report()
    phi = bucket("phi", "modules/storage/s3.tf", 60, 71)
    legacy = bucket("legacy", "legacy.tf", 1, 8)
    findings = [
        *base.findings,
        finding(
            "s3_bucket_public_access_blocked",
            Status.FAIL,
            "Bucket phi allows public ACLs | policies\nacl = public-read",
            phi,
            [HIPAA_ENC, SOC2_ENC],
        ),
        finding(
            "s3_bucket_versioning_enabled",
            Status.FAIL,
            "Bucket phi has no versioning",
            phi,
            [SOC2_ENC],
        ),
        finding(
            "s3_bucket_encrypted_at_rest",
            Status.FAIL,
            "Bucket legacy has no encryption",
            legacy,
            [HIPAA_ENC, SOC2_ENC],
        ),
    ]
    known = fingerprint("s3_bucket_encrypted_at_rest", legacy.id)
    fixed = BaselineEntry(
        check_id="s3_bucket_encrypted_at_rest",
        resource_id="aws_s3_bucket.archive",
        fingerprint=fingerprint("s3_bucket_encrypted_at_rest", "aws_s3_bucket.archive"),
    )
    values: dict[str, Any] = {
        "findings": findings,
        "checks": {**CHECKS, **PR_CHECKS},
        "sarif_prefix": "infra",
        "frameworks": ["hipaa", "soc2"],
        "resources_scanned": 6,
        "files_scanned": 4,
        "baseline": BaselineComparison(
            path=BASELINE_PATH, known=frozenset({known}), fixed=[fixed], entries=2
        ),
        "changed_since": PR_CHANGED_SINCE,
        "changed_resource_ids": frozenset(
            {"aws_s3_bucket.reports", "aws_s3_bucket.phi", "aws_s3_bucket.legacy"}
        ),
    }
    values.update(overrides)
    return build_report(**values)


GOLDEN_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "report_golden"
UPDATE_GOLDEN_ENV = "COMPLY_UPDATE_GOLDEN"


def assert_golden(name: str, text: str) -> None:
    """Compare `text` with tests/fixtures/report_golden/`name`, byte for byte.

    `COMPLY_UPDATE_GOLDEN=1 pytest tests/report` rewrites the golden files instead: do it only
    deliberately, and review the diff.
    """
    path = GOLDEN_DIR / name
    if os.environ.get(UPDATE_GOLDEN_ENV) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.is_file(), (
        f"missing golden file {path}; run with {UPDATE_GOLDEN_ENV}=1 to create it"
    )
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, (
        f"{name} differs from its golden file; if the change is intended, "
        f"rerun with {UPDATE_GOLDEN_ENV}=1 and review the diff"
    )
