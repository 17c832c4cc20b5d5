"""The framework catalogs are complete: every HIPAA Security Rule citation, every SOC 2 criterion.

The expected lists are written out on purpose: they come from the regulation (45 CFR 164.308,
164.310, 164.312, 164.314, 164.316 and Appendix A to Subpart C) and from the 2017 Trust Services
Criteria, not from the catalog files under test.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.compliance.catalog import load_catalog
from scanner.core.paths import controls_dir
from scanner.core.registry import load_registry

# Standards (no parent) and implementation specifications (parent given), in regulation order.
HIPAA_SECURITY_RULE: dict[str, str | None] = {
    # 164.308 Administrative safeguards
    "164.308(a)(1)(i)": None,
    "164.308(a)(1)(ii)(A)": "164.308(a)(1)(i)",
    "164.308(a)(1)(ii)(B)": "164.308(a)(1)(i)",
    "164.308(a)(1)(ii)(C)": "164.308(a)(1)(i)",
    "164.308(a)(1)(ii)(D)": "164.308(a)(1)(i)",
    "164.308(a)(2)": None,
    "164.308(a)(3)(i)": None,
    "164.308(a)(3)(ii)(A)": "164.308(a)(3)(i)",
    "164.308(a)(3)(ii)(B)": "164.308(a)(3)(i)",
    "164.308(a)(3)(ii)(C)": "164.308(a)(3)(i)",
    "164.308(a)(4)(i)": None,
    "164.308(a)(4)(ii)(A)": "164.308(a)(4)(i)",
    "164.308(a)(4)(ii)(B)": "164.308(a)(4)(i)",
    "164.308(a)(4)(ii)(C)": "164.308(a)(4)(i)",
    "164.308(a)(5)(i)": None,
    "164.308(a)(5)(ii)(A)": "164.308(a)(5)(i)",
    "164.308(a)(5)(ii)(B)": "164.308(a)(5)(i)",
    "164.308(a)(5)(ii)(C)": "164.308(a)(5)(i)",
    "164.308(a)(5)(ii)(D)": "164.308(a)(5)(i)",
    "164.308(a)(6)(i)": None,
    "164.308(a)(6)(ii)": "164.308(a)(6)(i)",
    "164.308(a)(7)(i)": None,
    "164.308(a)(7)(ii)(A)": "164.308(a)(7)(i)",
    "164.308(a)(7)(ii)(B)": "164.308(a)(7)(i)",
    "164.308(a)(7)(ii)(C)": "164.308(a)(7)(i)",
    "164.308(a)(7)(ii)(D)": "164.308(a)(7)(i)",
    "164.308(a)(7)(ii)(E)": "164.308(a)(7)(i)",
    "164.308(a)(8)": None,
    "164.308(b)(1)": None,
    "164.308(b)(3)": "164.308(b)(1)",
    # 164.310 Physical safeguards
    "164.310(a)(1)": None,
    "164.310(a)(2)(i)": "164.310(a)(1)",
    "164.310(a)(2)(ii)": "164.310(a)(1)",
    "164.310(a)(2)(iii)": "164.310(a)(1)",
    "164.310(a)(2)(iv)": "164.310(a)(1)",
    "164.310(b)": None,
    "164.310(c)": None,
    "164.310(d)(1)": None,
    "164.310(d)(2)(i)": "164.310(d)(1)",
    "164.310(d)(2)(ii)": "164.310(d)(1)",
    "164.310(d)(2)(iii)": "164.310(d)(1)",
    "164.310(d)(2)(iv)": "164.310(d)(1)",
    # 164.312 Technical safeguards
    "164.312(a)(1)": None,
    "164.312(a)(2)(i)": "164.312(a)(1)",
    "164.312(a)(2)(ii)": "164.312(a)(1)",
    "164.312(a)(2)(iii)": "164.312(a)(1)",
    "164.312(a)(2)(iv)": "164.312(a)(1)",
    "164.312(b)": None,
    "164.312(c)(1)": None,
    "164.312(c)(2)": "164.312(c)(1)",
    "164.312(d)": None,
    "164.312(e)(1)": None,
    "164.312(e)(2)(i)": "164.312(e)(1)",
    "164.312(e)(2)(ii)": "164.312(e)(1)",
    # 164.314 Organizational requirements (as revised by the 2013 Omnibus Rule)
    "164.314(a)(1)": None,
    "164.314(a)(2)(i)": "164.314(a)(1)",
    "164.314(a)(2)(ii)": "164.314(a)(1)",
    "164.314(a)(2)(iii)": "164.314(a)(1)",
    "164.314(b)(1)": None,
    "164.314(b)(2)(i)": "164.314(b)(1)",
    "164.314(b)(2)(ii)": "164.314(b)(1)",
    "164.314(b)(2)(iii)": "164.314(b)(1)",
    "164.314(b)(2)(iv)": "164.314(b)(1)",
    # 164.316 Policies and procedures and documentation requirements
    "164.316(a)": None,
    "164.316(b)(1)": None,
    "164.316(b)(2)(i)": "164.316(b)(1)",
    "164.316(b)(2)(ii)": "164.316(b)(1)",
    "164.316(b)(2)(iii)": "164.316(b)(1)",
}

# Standards without implementation specifications: Appendix A marks the standard itself (R), and
# the catalog's convention is to carry that flag on the standard.
STANDARDS_WITHOUT_SPECIFICATIONS = {
    "164.308(a)(2)",
    "164.308(a)(8)",
    "164.310(b)",
    "164.310(c)",
    "164.312(b)",
    "164.312(d)",
    "164.316(a)",
}

# Required/addressable per Appendix A, or the rule text for 164.308(a)(3)(ii)(B), 164.314, 164.316.
SPECIFICATION_SPOT_CHECKS = {
    "164.308(a)(1)(ii)(A)": "required",
    "164.308(a)(3)(ii)(B)": "addressable",
    "164.308(a)(4)(ii)(A)": "required",
    "164.308(a)(4)(ii)(B)": "addressable",
    "164.308(a)(5)(ii)(D)": "addressable",
    "164.308(a)(6)(ii)": "required",
    "164.308(a)(7)(ii)(A)": "required",
    "164.308(a)(7)(ii)(C)": "required",
    "164.308(a)(7)(ii)(D)": "addressable",
    "164.308(b)(3)": "required",
    "164.310(a)(2)(ii)": "addressable",
    "164.310(d)(2)(i)": "required",
    "164.310(d)(2)(iii)": "addressable",
    "164.312(a)(2)(i)": "required",
    "164.312(a)(2)(iii)": "addressable",
    "164.312(a)(2)(iv)": "addressable",
    "164.312(c)(2)": "addressable",
    "164.312(e)(2)(i)": "addressable",
    "164.312(e)(2)(ii)": "addressable",
    "164.314(a)(2)(iii)": "required",
    "164.316(b)(2)(i)": "required",
}


def _criteria(prefix: str, count: int, category: str) -> dict[str, str]:
    return {f"{prefix}.{n}": category for n in range(1, count + 1)}


SOC2_CRITERIA: dict[str, str] = {
    **_criteria("CC1", 5, "security"),
    **_criteria("CC2", 3, "security"),
    **_criteria("CC3", 4, "security"),
    **_criteria("CC4", 2, "security"),
    **_criteria("CC5", 3, "security"),
    **_criteria("CC6", 8, "security"),
    **_criteria("CC7", 5, "security"),
    **_criteria("CC8", 1, "security"),
    **_criteria("CC9", 2, "security"),
    **_criteria("A1", 3, "availability"),
    **_criteria("C1", 2, "confidentiality"),
    **_criteria("PI1", 5, "processing_integrity"),
    **_criteria("P1", 1, "privacy"),
    **_criteria("P2", 1, "privacy"),
    **_criteria("P3", 2, "privacy"),
    **_criteria("P4", 3, "privacy"),
    **_criteria("P5", 2, "privacy"),
    **_criteria("P6", 7, "privacy"),
    **_criteria("P7", 1, "privacy"),
    **_criteria("P8", 1, "privacy"),
}


def _raw_controls(framework_file: str) -> list[dict[str, Any]]:
    """The catalog as written, for fields the loader does not (yet) keep, such as `related`."""
    document = yaml.safe_load((controls_dir() / framework_file).read_text(encoding="utf-8"))
    return list(document["controls"])


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(load_registry())


@pytest.fixture(scope="module")
def hipaa(catalog):
    return {control.id: control for control in catalog.frameworks["hipaa"].controls}


@pytest.fixture(scope="module")
def soc2(catalog):
    return {control.id: control for control in catalog.frameworks["soc2"].controls}


def test_expected_lists_are_the_size_of_the_rule_and_the_criteria() -> None:
    assert len(HIPAA_SECURITY_RULE) == 68
    # 18 standards in Appendix A, plus two in 164.314 and two in 164.316.
    assert sum(parent is None for parent in HIPAA_SECURITY_RULE.values()) == 22
    assert len(SOC2_CRITERIA) == 61


def test_catalogs_load_against_the_registry(catalog) -> None:
    assert {"hipaa", "soc2"} <= set(catalog.frameworks)


@pytest.mark.parametrize("framework_file", ["hipaa.yaml", "soc2.yaml"])
def test_no_duplicated_control_ids(framework_file: str) -> None:
    ids = Counter(str(entry["id"]) for entry in _raw_controls(framework_file))
    assert [control_id for control_id, n in ids.items() if n > 1] == []


def test_hipaa_has_every_security_rule_citation_and_nothing_else(hipaa) -> None:
    missing = sorted(set(HIPAA_SECURITY_RULE) - set(hipaa))
    unexpected = sorted(set(hipaa) - set(HIPAA_SECURITY_RULE))
    assert (missing, unexpected) == ([], [])


def test_hipaa_parent_standards_match_the_rule(hipaa) -> None:
    assert {cid: c.standard for cid, c in hipaa.items()} == HIPAA_SECURITY_RULE


def test_hipaa_parents_exist_and_are_standards(hipaa) -> None:
    for control in hipaa.values():
        if control.standard is not None:
            parent = hipaa.get(control.standard)
            assert parent is not None, f"{control.id}: parent {control.standard} missing"
            assert parent.standard is None, f"{control.id}: parent {parent.id} is no standard"


def test_hipaa_specification_flags(hipaa) -> None:
    for control in hipaa.values():
        if control.standard is not None:
            assert control.specification in ("required", "addressable"), control.id
        elif control.id in STANDARDS_WITHOUT_SPECIFICATIONS:
            assert control.specification == "required", control.id
        else:
            assert control.specification is None, f"{control.id}: standard with specifications"


@pytest.mark.parametrize(("control_id", "expected"), sorted(SPECIFICATION_SPOT_CHECKS.items()))
def test_hipaa_specification_spot_checks(hipaa, control_id: str, expected: str) -> None:
    assert hipaa[control_id].specification == expected


def test_hipaa_controls_carry_manual_evidence(hipaa) -> None:
    for control in hipaa.values():
        if control.automation != "automated":
            assert control.manual_evidence, f"{control.id}: no manual evidence listed"


def test_soc2_has_every_criterion_with_its_category_and_nothing_else(soc2) -> None:
    assert {cid: c.category for cid, c in soc2.items()} == SOC2_CRITERIA


def test_soc2_controls_carry_manual_evidence(soc2) -> None:
    for control in soc2.values():
        if control.automation != "automated":
            assert control.manual_evidence, f"{control.id}: no manual evidence listed"


def test_soc2_grouping_standards_exist(soc2) -> None:
    for control in soc2.values():
        if control.standard is not None:
            assert control.standard in soc2, f"{control.id}: group {control.standard} missing"


def test_automation_matches_the_mapped_checks(catalog) -> None:
    for framework in catalog.frameworks.values():
        for control in framework.controls:
            if control.checks:
                assert control.automation in ("automated", "partial"), control.id
            else:
                assert control.automation == "manual", control.id


@pytest.mark.parametrize("framework_file", ["hipaa.yaml", "soc2.yaml"])
def test_related_entries_point_to_existing_controls_of_another_framework(
    catalog, framework_file: str
) -> None:
    own = Path(framework_file).stem
    for entry in _raw_controls(framework_file):
        related = entry.get("related", [])
        assert isinstance(related, list), entry["id"]
        assert len(related) == len(set(related)), f"{entry['id']}: duplicated related entry"
        for reference in related:
            framework_id, sep, control_id = str(reference).partition(":")
            assert sep and control_id, f"{entry['id']}: {reference!r} is not framework:id"
            assert framework_id != own, f"{entry['id']}: {reference!r} is the same framework"
            framework = catalog.frameworks.get(framework_id)
            assert framework is not None, f"{entry['id']}: unknown framework in {reference!r}"
            ids = {control.id for control in framework.controls}
            assert control_id in ids, f"{entry['id']}: {reference!r} names no control"


def test_hipaa_has_a_soc2_crosswalk() -> None:
    related = [r for entry in _raw_controls("hipaa.yaml") for r in entry.get("related", [])]
    assert related
    assert all(r.startswith("soc2:") for r in related)


# Reviewed mappings that must not drift: the check lands on the safeguard an auditor looks at.
@pytest.mark.parametrize(
    ("check_id", "expected"),
    [
        ("s3_bucket_encrypted_at_rest", {"hipaa:164.312(a)(2)(iv)", "soc2:CC6.1"}),
        ("s3_bucket_secure_transport_required", {"hipaa:164.312(e)(2)(ii)", "soc2:CC6.7"}),
        ("cloudtrail_trail_multi_region_enabled", {"hipaa:164.312(b)", "soc2:CC7.2"}),
        ("rds_instance_backup_retention_7_days", {"hipaa:164.308(a)(7)(ii)(A)", "soc2:A1.2"}),
        ("ec2_security_group_ssh_not_open_to_internet", {"hipaa:164.312(a)(1)", "soc2:CC6.6"}),
        ("iam_policy_no_full_admin_privileges", {"hipaa:164.308(a)(4)(ii)(B)", "soc2:CC6.3"}),
        ("iam_password_policy_min_length_14", {"hipaa:164.308(a)(5)(ii)(D)", "soc2:CC6.1"}),
        ("s3_bucket_versioning_enabled", {"hipaa:164.312(c)(1)"}),
    ],
)
def test_key_mappings(catalog, check_id: str, expected: set[str]) -> None:
    refs = {f"{ref.framework}:{ref.id}" for ref in catalog.controls_by_check()[check_id]}
    assert expected <= refs


def test_encryption_at_rest_is_not_transmission_security(catalog) -> None:
    hipaa = {control.id: control for control in catalog.frameworks["hipaa"].controls}
    at_rest = set(hipaa["164.312(a)(2)(iv)"].checks)
    in_transit = {
        check
        for cid in ("164.312(e)(1)", "164.312(e)(2)(i)", "164.312(e)(2)(ii)")
        for check in hipaa[cid].checks
    }
    assert at_rest and in_transit
    assert not at_rest & in_transit
