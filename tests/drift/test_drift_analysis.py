"""Drift analysis offline: declared values from the configuration, value comparison rules,
drift.ignore rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.core.model import Location, Resource, Unknown
from scanner.core.registry import load_registry
from scanner.drift.analysis import analyse_drift
from scanner.drift.compare import matches
from scanner.drift.ignore import DEFAULT_IGNORE_RULES, IgnoreRuleError, ignore_rules, ignored_by
from scanner.drift.live import LiveSide
from scanner.sources.aws.snapshot import load_snapshot
from scanner.sources.terraform import load_terraform
from scanner.sources.terraform.state import load_terraform_state

STATES = Path(__file__).resolve().parents[1] / "fixtures" / "drift_states"
REGISTRY = load_registry()


def _analyse(declared: dict[str, Resource] | None) -> dict[str, dict[str, Any]]:
    state = load_terraform_state([STATES / "moto.tfstate"])
    live = LiveSide.from_collection(load_snapshot(STATES / "moto-snapshot.json.gz"))
    analysis = analyse_drift(
        state.managed,
        live.resources,
        declared=declared,
        specs=list(REGISTRY),
        collected_types=live.collected_types,
        accounts=live.accounts,
        regions=live.regions,
        ignore=ignore_rules(None, "defaults"),
    )
    return {record.id: record.attributes for record in analysis.records}


def test_declared_values_come_from_the_configuration_by_address() -> None:
    config = load_terraform(STATES / "config")
    assert config.errors == []
    records = _analyse({r.id: r for r in config.resources})
    phi = records["aws_s3_bucket.phi"]
    # The configuration's algorithm is an unset variable: Unknown is not drift.
    assert phi["declared_from"] == "configuration"
    assert phi["drifted"] == []
    assert "server_side_encryption" in phi["not_compared"]
    assert phi["worsened_checks"] == []
    logs = records["aws_s3_bucket.logs"]
    assert logs["declared_from"] == "configuration"
    assert [d["attribute"] for d in logs["drifted"]] == ["versioning"]
    assert logs["worsened_checks"] == ["s3_bucket_versioning_enabled"]
    # Not in the configuration: compared with the state.
    assert records["aws_security_group.web"]["declared_from"] == "state"


def test_state_as_declared_reports_the_exact_drift() -> None:
    records = _analyse(None)
    drifted = {
        rid: sorted(d["attribute"] for d in r["drifted"])
        for rid, r in records.items()
        if r["state"] == "managed" and r["drifted"]
    }
    assert drifted == {
        "aws_s3_bucket.phi": ["server_side_encryption"],
        "aws_s3_bucket.logs": ["versioning"],
        "aws_security_group.web": ["ingress"],
    }
    phi = records["aws_s3_bucket.phi"]["drifted"][0]
    assert phi["declared"]["sse_algorithm"] == "aws:kms" and phi["live"] is None
    assert {r["state"] for r in records.values()} == {"managed", "deleted", "unmanaged"}
    assert [rid for rid, r in records.items() if r["state"] == "deleted"] == [
        "aws_db_instance.main"
    ]


@pytest.mark.parametrize(
    ("declared", "live", "same"),
    [
        ({"enabled": True}, {"enabled": True, "mfa_delete": None}, True),
        ({"enabled": True}, {"enabled": False, "mfa_delete": None}, False),
        ({"enabled": False}, None, True),  # absent live is the default (off)
        ([{"port": 1}, {"port": 2}], [{"port": 2}, {"port": 1}], True),  # order carries no meaning
        ([{"port": 1}], [{"port": 1}, {"port": 22}], False),  # a rule added
        ("true", True, True),
        (30, "30", True),
        (Unknown("var.x"), "anything", True),  # unknown declared: never drift
        ({"a": Unknown("x")}, {"a": 1}, True),
        ("AES256", Unknown("denied"), True),  # unreadable live: unknown, not drift
        ({"a": 1}, {"a": Unknown("denied")}, True),  # nested too (== refuses Unknown)
        ({"a": 1, "b": 2}, {"a": Unknown("denied"), "b": 3}, False),
        (None, "set by hand", True),  # not declared: compared only through PROVIDER_DEFAULTS
    ],
)
def test_matches(declared: Any, live: Any, same: bool) -> None:
    assert matches(declared, live) is same


values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(values)
def test_a_value_always_matches_itself(value: Any) -> None:
    assert matches(value, value)


def _live(type_name: str, arn: str, **attributes: Any) -> Resource:
    return Resource(type_name, arn, "aws", Location(account="1", region="us-east-1"), attributes)


def test_default_ignore_rules_cover_aws_created_resources() -> None:
    ignored = [
        _live("aws_vpc", "arn:aws:ec2:us-east-1:1:vpc/vpc-1", is_default=True),
        _live("aws_security_group", "arn:aws:ec2:us-east-1:1:security-group/sg-1", name="default"),
        _live("aws_iam_role", "arn:aws:iam::1:role/aws-service-role/rds.amazonaws.com/X"),
        _live("aws_kms_key", "arn:aws:kms:us-east-1:1:key/k", key_manager="AWS"),
    ]
    kept = [
        _live("aws_vpc", "arn:aws:ec2:us-east-1:1:vpc/vpc-2", is_default=False),
        _live("aws_security_group", "arn:aws:ec2:us-east-1:1:security-group/sg-2", name="web"),
        _live("aws_iam_role", "arn:aws:iam::1:role/deploy"),
    ]
    rules = list(DEFAULT_IGNORE_RULES)
    assert all(ignored_by(r, rules) is not None for r in ignored)
    assert all(ignored_by(r, rules) is None for r in kept)


def test_configured_ignore_rules_and_errors() -> None:
    rules = ignore_rules(
        {
            "ignore": [
                "arn:aws:iam::*:role/deploy",
                {"type": "aws_vpc", "attributes": {"is_default": False}},
            ],
            "ignore_defaults": False,
        },
        ".comply.yaml",
    )
    assert len(rules) == 2
    assert ignored_by(_live("aws_iam_role", "arn:aws:iam::1:role/deploy"), rules) is not None
    assert ignored_by(_live("aws_vpc", "v", is_default=False), rules) is not None
    for bad, needle in (
        ({"ignore": [{"typo": 1}]}, "unknown key"),
        ({"ignore": [{}]}, "at least one"),
        ({"ignore": "x"}, "list of rules"),
        ({"ignore_defaults": "no"}, "true or false"),
        ({"other": 1}, "unknown key"),
        ([], "must be a mapping"),
    ):
        with pytest.raises(IgnoreRuleError, match=needle):
            ignore_rules(bad, ".comply.yaml")


def test_an_unreadable_live_value_is_never_drift() -> None:
    from scanner.drift.compare import compare

    declared = Resource("aws_s3_bucket", "aws_s3_bucket.a", "terraform", Location(), {
        "bucket": "a", "versioning": {"enabled": True}})  # fmt: skip
    live = Resource("aws_s3_bucket", "arn:aws:s3:::a", "aws", Location(), {
        "bucket": "a", "versioning": Unknown("s3:GetBucketVersioning denied"),
        "logging": Unknown("denied")})  # fmt: skip
    specs = [s for s in REGISTRY if "aws_s3_bucket" in s.resource_types and s.scope == "resource"]
    comparison = compare(declared, live, specs)
    assert comparison.drifted == ()
    assert "versioning" in comparison.compared
