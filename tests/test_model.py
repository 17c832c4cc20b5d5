"""The UNKNOWN marker and typed accessors: the guarantees every check relies on."""

from __future__ import annotations

import copy
import pickle

import pytest

from scanner.core.model import (
    ComputedRef,
    Location,
    Resource,
    Unknown,
    UnknownValueError,
    is_unknown,
)


def resource(**attributes: object) -> Resource:
    return Resource(
        "aws_kms_key", "aws_kms_key.k", "terraform", Location("main.tf", 1, 3), attributes
    )


@pytest.mark.parametrize(
    "decide",
    [bool, lambda u: u == "x", lambda u: u < 3, lambda u: "a" in u, list, len, lambda u: u.lower()],
)
def test_any_decision_on_unknown_raises(decide):
    with pytest.raises(UnknownValueError, match=r"var\.x has no value"):
        decide(Unknown("var.x has no value"))


def test_unknown_survives_copy_pickle_and_formatting():
    marker = Unknown("var.x has no value")
    assert is_unknown(pickle.loads(pickle.dumps(marker)))
    assert is_unknown(copy.deepcopy(marker))
    assert f"{marker}" == "(unknown: var.x has no value)"


def test_get_walks_paths_and_stops_at_unknown():
    marker = Unknown("var.rules")
    r = resource(ingress=[{"from_port": 22}], nested=marker)
    assert r.get("ingress.0.from_port") == 22
    assert r.get("ingress.5.from_port", "absent") == "absent"
    assert r.get("nested.anything") is marker


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("true", True), ("false", False), (None, False)],
)
def test_get_bool_converts_like_terraform(value, expected):
    assert resource(flag=value).get_bool("flag", False) is expected


@pytest.mark.parametrize("value", [Unknown("var.flag"), ComputedRef("aws_x.y.flag")])
def test_get_bool_refuses_unknown_and_computed(value):
    with pytest.raises(UnknownValueError):
        resource(flag=value).get_bool("flag", False)


def test_get_bool_rejects_non_booleans():
    with pytest.raises(TypeError, match="expected a bool"):
        resource(flag="yes please").get_bool("flag", False)


def test_get_number():
    assert resource(days="7").get_number("days", 1) == 7
    assert resource(days=2.5).get_number("days", 1) == 2.5
    assert resource().get_number("days", 1) == 1
    assert resource().get_number("days") is None
    with pytest.raises(TypeError):
        resource(days=True).get_number("days", 1)
    with pytest.raises(UnknownValueError):
        resource(days=ComputedRef("aws_x.y.days")).get_number("days", 1)


def test_terraform_address_drops_only_a_folder_label():
    from scanner.core.model import terraform_address

    assert terraform_address("infra/prod:aws_s3_bucket.b") == "aws_s3_bucket.b"
    assert terraform_address("examples/terraform:module.m.aws_x.y[0]") == "module.m.aws_x.y[0]"
    assert terraform_address("aws_s3_bucket.b") == "aws_s3_bucket.b"
    # A colon inside an instance key is not a label.
    assert terraform_address('aws_x.y["a:b"]') == 'aws_x.y["a:b"]'
    assert terraform_address('infra:aws_x.y["a:b"]') == 'aws_x.y["a:b"]'
