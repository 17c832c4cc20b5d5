"""The Lambda, EC2 image-sharing and network ACL collectors against seeded moto state: declared
actions cover every operation sent, nothing is requested twice, a snapshot re-normalizes
identically, and a denied call makes only the checks that depend on it unknown."""

from __future__ import annotations

from typing import Any

from tests.aws.lambda_seed import create_function
from tests.aws.test_aws_collectors_breadth import (
    assert_declared_and_round_trip,
    deny,
    scan,
    status,
)

# -- Lambda -------------------------------------------------------------------------------------


def test_lambda_costs_two_calls_per_function_and_a_denied_policy_is_unknown(clients: Any) -> None:
    lam = clients("lambda")
    public = create_function(clients, "public", Environment={"Variables": {"A": "b"}})
    lam.add_permission(
        FunctionName="public", StatementId="all", Action="lambda:InvokeFunction", Principal="*"
    )
    lam.create_function_url_config(FunctionName="public", AuthType="AWS_IAM")
    quiet = create_function(clients, "quiet", Runtime="python3.7")
    full, by_id = assert_declared_and_round_trip(["lambda"])
    assert dict(full.requests_by_operation) == {
        "lambda.ListFunctions": 1,
        "lambda.GetPolicy": 2,
        "lambda.GetFunctionUrlConfig": 2,
        **{k: v for k, v in full.requests_by_operation.items() if k.startswith("sts.")},
    }
    assert by_id[public].attributes["function_url"][0]["authorization_type"] == "AWS_IAM"
    assert by_id[quiet].attributes["policy"] is None
    assert by_id[quiet].attributes["function_url"] == []
    assert status("lambda_function_not_public", by_id[public]) == "fail"

    collection, denied = scan(["lambda"], deny("lambda", "GetPolicy"))
    assert status("lambda_function_not_public", denied[public]) == "unknown"
    assert status("lambda_function_not_public", denied[quiet]) == "unknown"
    assert status("lambda_function_environment_encrypted_with_kms", denied[public]) == "fail"
    assert status("lambda_function_runtime_supported", denied[quiet]) == "fail"
    assert sorted(e.operation for _, e in collection.call_errors) == ["GetPolicy", "GetPolicy"]


def test_lambda_denied_url_config_leaves_a_public_policy_failing(clients: Any) -> None:
    public = create_function(clients, "public")
    clients("lambda").add_permission(
        FunctionName="public", StatementId="all", Action="lambda:InvokeFunction", Principal="*"
    )
    collection, denied = scan(["lambda"], deny("lambda", "GetFunctionUrlConfig"))
    # The public statement is certain; the unknown URL cannot make it pass.
    assert status("lambda_function_not_public", denied[public]) == "fail"
    assert [e.operation for _, e in collection.call_errors] == ["GetFunctionUrlConfig"]
