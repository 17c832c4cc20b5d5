"""Registry-wide invariants: a malformed or unmapped built-in check fails here, not in a scan."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scanner.compliance.catalog import load_catalog
from scanner.core.model import Severity
from scanner.core.registry import CHECK_ID_PATTERN, CheckSpec, load_registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REGISTRY = load_registry()
SPECS = list(REGISTRY)
IDS = [spec.id for spec in SPECS]
# Enough for the first catalog; a new service adds its prefix here deliberately.
KNOWN_SERVICES = {
    "cloudtrail", "cloudwatch", "dynamodb", "ebs", "ec2", "eks", "elb", "iam", "kms", "rds",
    "s3", "sns", "sqs", "vpc", "k8s", "guardduty", "config", "secretsmanager", "lambda",
    "efs", "ecr", "opensearch", "redshift", "sagemaker", "elasticache", "backup", "apigateway",
    "cloudfront", "wafv2", "drift", "acm", "securityhub", "ssm", "dax", "bedrock", "emr",
}  # fmt: skip
# The sources that can produce a canonical type, and so must have a fixture for a check over it.
# drift_comparison resources come from `comply drift` (fixtures: a state and a snapshot).
SOURCE_PREFIXES = {"terraform": "aws_", "kubernetes": "kubernetes_", "drift": "drift_"}


def fixture_sources(spec: CheckSpec) -> set[str]:
    derived = {
        source
        for source, prefix in SOURCE_PREFIXES.items()
        if any(t.startswith(prefix) for t in spec.resource_types)
    }
    # A check limited to live AWS data is proven by its seeded moto fixture (aws.py) instead.
    return set(spec.sources) & (derived | {"aws"}) if spec.sources else derived


def test_there_are_enough_builtin_checks() -> None:
    assert len(SPECS) >= 30


def test_ids_are_unique() -> None:
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_id_follows_the_naming_rule(spec: CheckSpec) -> None:
    assert CHECK_ID_PATTERN.match(spec.id)
    service = spec.id.split("_", 1)[0]
    assert service in KNOWN_SERVICES, f"{spec.id}: unknown service prefix {service!r}"
    if service == "k8s":
        # Kubernetes checks are grouped by area (pod_security.py, rbac.py, ...).
        assert spec.module.startswith("policies.kubernetes."), f"{spec.id} lives in {spec.module}"
    else:
        # One module per service: policies/aws/s3.py (or s3_<topic>.py) holds only s3_* checks.
        module_service = spec.module.rsplit(".", 1)[-1].split("_", 1)[0]
        assert module_service == service, f"{spec.id} lives in {spec.module}"
    assert len(spec.id.split("_")) >= 3, "<service>_<resource>_<expected_state>"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_severity_is_valid(spec: CheckSpec) -> None:
    assert isinstance(spec.severity, Severity)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_docstring_has_rationale_and_remediation(spec: CheckSpec) -> None:
    assert spec.rationale, f"{spec.id}: docstring has no why-it-matters text"
    assert "Remediation:" in spec.doc, f"{spec.id}: docstring has no Remediation: section"
    assert spec.remediation, f"{spec.id}: Remediation: section is empty"
    assert spec.title


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_references_are_well_formed(spec: CheckSpec) -> None:
    # cis_kubernetes_v1.10, cis_aws_v1.4: CIS Benchmark recommendation numbers of that version.
    assert set(spec.references) <= {"checkov", "aws_config", "cis_kubernetes_v1.10", "cis_aws_v1.4"}
    if spec.id.startswith("k8s_"):
        assert all(v.startswith("CKV_K8S_") for v in spec.references.get("checkov", ()))
    for values in spec.references.values():
        assert values and all(isinstance(v, str) and v for v in values)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_fixture_has_a_pass_and_a_fail(spec: CheckSpec) -> None:
    folder = FIXTURES / spec.id
    sources = fixture_sources(spec)
    assert sources, f"{spec.id}: no source produces {spec.resource_types}"
    for source in sources:
        if source == "aws":
            assert (folder / "aws.py").is_file(), f"{spec.id}: no seeded aws.py fixture"
            continue
        assert any((folder / source).iterdir()), f"{spec.id}: no {source} fixture"
        expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
        sets = expected[source]
        assert sets.get("pass"), f"{spec.id}: {source} fixture has no passing resource"
        assert sets.get("fail"), f"{spec.id}: {source} fixture has no failing resource"
        assert set(sets) <= {"pass", "fail", "unknown"}


def test_catalog_loads_against_the_registry() -> None:
    catalog = load_catalog(REGISTRY)
    assert {"hipaa", "soc2"} <= set(catalog.frameworks)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_check_maps_to_hipaa_and_soc2(spec: CheckSpec) -> None:
    mapping = load_catalog(REGISTRY).controls_by_check()
    frameworks = {ref.framework for ref in mapping.get(spec.id, [])}
    assert "hipaa" in frameworks, f"{spec.id} is mapped to no HIPAA control"
    assert "soc2" in frameworks, f"{spec.id} is mapped to no SOC 2 control"


def test_hipaa_specifications_name_an_existing_parent_standard() -> None:
    hipaa = load_catalog(REGISTRY).frameworks["hipaa"]
    ids = {control.id for control in hipaa.controls}
    for control in hipaa.controls:
        if control.standard is not None:
            assert control.standard in ids, f"{control.id}: parent {control.standard} missing"


def test_soc2_controls_have_a_category() -> None:
    categories = {"security", "availability", "confidentiality", "processing_integrity", "privacy"}
    for control in load_catalog(REGISTRY).frameworks["soc2"].controls:
        assert control.category in categories, control.id
