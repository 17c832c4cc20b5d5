"""Planned values: unknown, sensitive and computed-reference rules; addresses; bad documents."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.core.model import ComputedRef, is_unknown
from scanner.sources.terraform.plan import judged, load_terraform_plan
from scanner.sources.terraform.plan_config import (
    PlanConfiguration,
    module_steps,
    prefix_of,
    same_instance_reference,
)
from scanner.sources.terraform.plan_document import looks_like_plan
from scanner.sources.terraform.plan_values import (
    ResourceContext,
    Scope,
    computed_reference,
    planned_attributes,
    union_sensitive,
)

ROOT = Scope(prefix="")


def ref(*references: str) -> dict:
    return {"references": list(references)}


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        (["create"], True),
        (["update"], True),
        (["no-op"], True),
        (["delete", "create"], True),
        (["create", "delete"], True),
        (["delete"], False),
        (["forget"], False),
        (["read"], False),
        ([], False),
        (["something-new"], False),
    ],
)
def test_only_objects_that_exist_after_apply_are_judged(actions, expected):
    assert judged(actions) is expected


@pytest.mark.parametrize(
    ("address", "steps"),
    [
        ("", []),
        ("module.a", [("a", "")]),
        ('module.a["x.y"].module.b[3]', [("a", '["x.y"]'), ("b", "[3]")]),
        ('module.a["q\\"]"]', [("a", '["q\\"]"]')]),
    ],
)
def test_module_addresses_split_into_calls_and_instance_keys(address, steps):
    assert module_steps(address) == steps
    assert prefix_of(steps) == (f"{address}." if address else "")


def test_a_malformed_module_address_is_refused():
    with pytest.raises(ValueError, match="not a module address"):
        module_steps("module.a.resource")


@pytest.mark.parametrize(
    ("references", "expected"),
    [
        (["aws_kms_key.k.arn", "aws_kms_key.k"], "aws_kms_key.k.arn"),
        (["aws_security_group.web.id", "aws_security_group.web"], "aws_security_group.web.id"),
        (
            ['aws_s3_bucket.b["x"].id', 'aws_s3_bucket.b["x"]', "aws_s3_bucket.b"],
            'aws_s3_bucket.b["x"].id',  # a constant instance key names the instance
        ),
        (
            ["aws_s3_bucket.b[0].id", "aws_s3_bucket.b[0]", "aws_s3_bucket.b"],
            "aws_s3_bucket.b[0].id",
        ),
        (["aws_ssm_parameter.p.value", "aws_ssm_parameter.p"], None),  # a value, not an identity
        (["data.aws_kms_key.k.arn", "data.aws_kms_key.k"], None),  # data: read, not created
        (["aws_kms_key.k.arn", "aws_kms_key.k", "var.enabled"], None),  # a condition on a var
        (["aws_kms_key.a.arn", "aws_kms_key.b.arn"], None),  # two objects
        (["aws_s3_bucket.b", "count.index"], None),  # a computed index: which instance?
        (["each.value.id", "each.value"], None),
        ([], None),
    ],
)
def test_computed_reference_only_for_one_identity_and_nothing_else(references, expected):
    found = computed_reference([ref(*references)], ROOT)
    if expected is None:
        assert found is None
    else:
        assert isinstance(found, ComputedRef) and found == expected


def test_a_module_input_is_followed_to_the_caller():
    configuration = PlanConfiguration(
        {
            "root_module": {
                "module_calls": {
                    "outer": {
                        "expressions": {"key": ref("aws_kms_key.k.arn", "aws_kms_key.k")},
                        "module": {
                            "module_calls": {
                                "inner": {"expressions": {"key_arn": ref("var.key")}, "module": {}}
                            }
                        },
                    }
                }
            }
        }
    )
    scope = configuration.scope([("outer", '["a"]'), ("inner", "")])
    assert scope.prefix == 'module.outer["a"].module.inner.'
    assert computed_reference([ref("var.key_arn")], scope) == "aws_kms_key.k.arn"
    assert computed_reference([ref("var.missing")], scope) is None


def test_list_elements_use_a_reference_only_when_every_block_agrees():
    agree = [ref("aws_kms_key.k.arn", "aws_kms_key.k")] * 2
    assert computed_reference(agree, ROOT) == "aws_kms_key.k.arn"
    differ = [ref("aws_kms_key.a.arn", "aws_kms_key.a"), ref("aws_kms_key.b.arn", "aws_kms_key.b")]
    assert computed_reference(differ, ROOT) is None


def context(expressions=None, declared=None) -> ResourceContext:
    return ResourceContext("aws_x.y", ROOT, expressions, declared)


def test_unknown_sensitive_and_known_values_merge():
    after = {"name": "a", "rules": [{"port": 22, "cidr": None}], "tags": {"env": "prod"}}
    unknown = {"id": True, "rules": [{"cidr": True}], "tags": {}}
    sensitive = {"tags": {"env": True}}
    expressions = {"id": ref("var.x"), "rules": [{"cidr": ref("aws_vpc.v.cidr_block")}]}
    out = planned_attributes(after, unknown, sensitive, context(expressions))
    assert out["name"] == "a"
    assert out["rules"][0]["port"] == 22
    assert is_unknown(out["rules"][0]["cidr"])
    assert out["rules"][0]["cidr"].reason == "aws_x.y.rules.0.cidr is known only after apply"
    assert is_unknown(out["tags"]["env"]) and "sensitive" in out["tags"]["env"].reason
    assert is_unknown(out["id"])  # set in the configuration: unknown, not absent


def test_unknown_attributes_the_configuration_does_not_write_are_provider_defaults():
    after = {"name": "a"}
    unknown = {"arn": True, "ingress": True, "kms_key_id": True}
    expressions = {"name": {"constant_value": "a"}}
    # .tf files read: neither is written, so both are computed defaults (absent)
    out = planned_attributes(after, unknown, {}, context(expressions, frozenset({"name"})))
    assert out == {"name": "a"}
    # .tf files say `ingress` is written (e.g. a dynamic block): unknown
    out = planned_attributes(after, unknown, {}, context(expressions, frozenset({"ingress"})))
    assert is_unknown(out["ingress"]) and "kms_key_id" not in out
    # only the plan: a nested block name may hide a dynamic block, so it stays unknown
    out = planned_attributes(after, unknown, {}, context(expressions))
    assert is_unknown(out["ingress"]) and "arn" not in out and "kms_key_id" not in out
    # no configuration at all: nothing can be called a default
    out = planned_attributes(after, unknown, {}, context())
    assert all(is_unknown(out[key]) for key in ("arn", "ingress", "kms_key_id"))


def test_a_sensitive_unknown_stays_hidden_even_when_not_configured():
    out = planned_attributes({}, {"token": True}, {"token": True}, context({}, frozenset()))
    assert is_unknown(out["token"]) and "sensitive" in out["token"].reason


def test_sensitivity_marks_combine():
    assert union_sensitive({"a": True}, {"b": [False, True]}) == {"a": True, "b": [False, True]}
    assert union_sensitive(True, {}) is True
    assert union_sensitive(None, {"x": True}) == {"x": True}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
change_like = st.fixed_dictionaries(
    {
        "address": st.sampled_from(["aws_kms_key.k", 'module.m["a"].aws_s3_bucket.b[0]', "x"]),
        "type": st.sampled_from(["aws_kms_key", "aws_s3_bucket_versioning", "aws_s3_bucket"]),
        "name": st.text(max_size=4),
        "change": st.fixed_dictionaries(
            {
                "actions": st.lists(st.sampled_from(["create", "update", "delete", "no-op"])),
                "after": json_values,
                "after_unknown": json_values,
                "after_sensitive": json_values,
            }
        ),
    },
    optional={"module_address": st.sampled_from(["", 'module.m["a"]', "module.", "m"])},
)
documents = st.fixed_dictionaries(
    {"format_version": st.sampled_from(["1.2", "0.1", "2.0", 1])},
    optional={
        "resource_changes": st.lists(change_like | json_values, max_size=4),
        "planned_values": json_values,
        "configuration": json_values,
    },
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=documents)
def test_any_document_gives_errors_or_resources_never_an_exception(tmp_path_factory, document):
    folder: Path = tmp_path_factory.mktemp("plan")
    path = folder / "plan.json"
    path.write_text(json.dumps(document))
    result = load_terraform_plan(path)
    assert all(error.target for error in result.errors)
    assert not any("internal error" in error.message for error in result.errors), result.errors
    for resource in result.resources:
        assert resource.source == "terraform"


@pytest.mark.parametrize(
    ("body", "index", "expected"),
    [
        ({"bucket": "${aws_s3_bucket.b[count.index].id}"}, 1, "aws_s3_bucket.b[1].id"),
        ({"bucket": "${aws_s3_bucket.b[each.key].id}"}, "eu", 'aws_s3_bucket.b["eu"].id'),
        (
            {"for_each": "${aws_s3_bucket.b}", "bucket": "${each.value.bucket}"},
            "eu",
            'aws_s3_bucket.b["eu"].bucket',
        ),
        ({"bucket": "${aws_s3_bucket.b[count.index].id}"}, "eu", None),  # key kind mismatch
        ({"bucket": "${aws_s3_bucket.b[each.key].id}"}, 0, None),
        ({"bucket": "${aws_s3_bucket.b[1 - count.index].id}"}, 0, None),
        ({"for_each": "${var.buckets}", "bucket": "${each.value.id}"}, "eu", None),
        ({"bucket": "${aws_s3_bucket.b[count.index].id}"}, None, None),
        ({"bucket": "phi-records"}, 0, None),
    ],
)
def test_same_instance_references_are_read_from_the_configuration_text(body, index, expected):
    assert same_instance_reference(body, "bucket", index) == expected


def test_only_json_files_that_are_plans_are_detected(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version":"1.2","terraform_version":"1.9.8"}')
    config = tmp_path / "main.tf.json"
    config.write_text('{"format_version": "not a plan: .tf.json is configuration"}')
    other = tmp_path / "vars.json"
    other.write_text('{"resource": {}}')
    assert looks_like_plan(plan)
    assert not looks_like_plan(config)
    assert not looks_like_plan(other)
    assert not looks_like_plan(tmp_path)


def test_deeply_nested_values_are_an_error_for_that_resource_only(tmp_path):
    nested: object = "x"
    for _ in range(600):
        nested = {"a": nested}
    good = {"address": "aws_kms_key.ok", "mode": "managed", "type": "aws_kms_key", "name": "ok"}
    deep = {**good, "address": "aws_kms_key.deep", "name": "deep"}
    changes = [
        {**good, "change": {"actions": ["create"], "after": {"enable_key_rotation": True}}},
        {**deep, "change": {"actions": ["create"], "after": {"policy": nested}}},
    ]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "resource_changes": changes}))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(900)  # below what 600 levels of merging need, above json.loads' need
    try:
        result = load_terraform_plan(path)
    finally:
        sys.setrecursionlimit(limit)
    assert [r.id for r in result.resources] == ["aws_kms_key.ok"]
    assert [e.message for e in result.errors] == ["aws_kms_key.deep: values nested too deeply"]


def test_null_arguments_are_absent_as_in_the_configuration_scan():
    after = {"kms_key_id": None, "rule": [{"days": None, "status": "Enabled"}], "tags": None}
    out = planned_attributes(after, {}, {}, context({}, frozenset()))
    assert out == {"rule": [{"status": "Enabled"}]}
