"""Checks over live-AWS-only data, on the cases moto cannot seed, plus their Unknown paths.

Inputs are API responses in AWS's documented shape, normalized by the real collectors, so the
checks read exactly the attributes a live scan gives them. The seeded moto fixtures
(tests/fixtures/<check_id>/aws.py) cover everything moto can represent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.model import Location, Resource, Unknown
from scanner.core.registry import load_registry
from scanner.sources.aws.collector import CallError, RawService
from scanner.sources.aws.collectors import config as config_collector
from scanner.sources.aws.collectors import emr as emr_collector
from scanner.sources.aws.collectors import iam as iam_collector
from scanner.sources.aws.collectors import lambda_functions as lambda_collector
from scanner.sources.aws.collectors import rds as rds_collector

REGISTRY = load_registry()
ACCOUNT = "123456789012"


def denied(service: str, operation: str, region: str = "us-east-1") -> dict[str, Any]:
    """What a collector records where a refused call's response would have been."""
    return CallError(service, operation, region, "AccessDenied", "not authorized").as_marker()


def status(check_id: str, resource: Resource) -> tuple[str, str]:
    (finding,) = evaluate([resource], [REGISTRY.checks[check_id]], REGISTRY).findings
    return finding.status.value, finding.message


def root_account(summary: Any) -> Resource:
    raw = RawService("iam", ACCOUNT, "global", {"partition": "aws", "summary": summary})
    (account,) = [r for r in iam_collector.normalize(raw) if r.type == "aws_iam_account"]
    return account


@pytest.mark.parametrize(
    ("summary", "mfa", "keys"),
    [
        ({"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}, "pass", "pass"),
        ({"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1}, "fail", "fail"),
    ],
)
def test_root_account_cases_moto_cannot_seed(summary: dict[str, int], mfa: str, keys: str) -> None:
    account = root_account({"SummaryMap": summary})
    assert status("iam_root_account_mfa_enabled", account)[0] == mfa
    assert status("iam_root_account_no_access_keys", account)[0] == keys


def test_root_account_unreadable_summary_is_unknown() -> None:
    account = root_account(denied("iam", "GetAccountSummary", "global"))
    for check_id in ("iam_root_account_mfa_enabled", "iam_root_account_no_access_keys"):
        verdict, message = status(check_id, account)
        assert verdict == "unknown" and "AccessDenied" in message, check_id


ROOT_VIRTUAL = {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device"}
USER_VIRTUAL = {
    "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/alice",
    "User": {"Arn": f"arn:aws:iam::{ACCOUNT}:user/alice"},
    "Base32StringSeed": "NEVER-KEPT",
}


@pytest.mark.parametrize(
    ("mfa", "devices", "expected"),
    [
        (1, [USER_VIRTUAL], "pass"),  # a user's virtual device says nothing about root's
        (1, [], "pass"),
        (1, [ROOT_VIRTUAL], "fail"),
        (1, [{"SerialNumber": "x", "User": {"Arn": f"arn:aws:iam::{ACCOUNT}:root"}}], "fail"),
        (0, [], "fail"),
        (1, denied("iam", "ListVirtualMFADevices", "global"), "unknown"),
        (1, None, "unknown"),  # a snapshot taken before the call existed
    ],
)
def test_root_hardware_mfa_from_aws_shaped_responses(mfa: int, devices: Any, expected: str) -> None:
    data = {"partition": "aws", "summary": {"SummaryMap": {"AccountMFAEnabled": mfa}}}
    if devices is not None:
        data["virtual_mfa_devices"] = devices
    raw = RawService("iam", ACCOUNT, "global", data)
    (account,) = [r for r in iam_collector.normalize(raw) if r.type == "aws_iam_account"]
    assert status("iam_root_hardware_mfa_enabled", account)[0] == expected


@pytest.mark.parametrize(
    ("described", "expected"),
    [
        ({"Cluster": {"MasterPublicDnsName": "ip-10-0-1-5.ec2.internal"}}, "pass"),
        ({"Cluster": {"MasterPublicDnsName": "ip-10-0-1-5.eu-west-1.compute.internal"}}, "pass"),
        ({"Cluster": {"MasterPublicDnsName": "ec2-3-4-5-6.compute-1.amazonaws.com"}}, "fail"),
        ({"Cluster": {"MasterPublicDnsName": "emr-master.corp.example"}}, "unknown"),
        ({"Cluster": {}}, "unknown"),
        (denied("emr", "DescribeCluster"), "unknown"),
    ],
)
def test_emr_master_address_from_aws_shaped_responses(described: Any, expected: str) -> None:
    summary = {
        "Id": "j-1",
        "ClusterArn": f"arn:aws:elasticmapreduce:us-east-1:{ACCOUNT}:cluster/j-1",
    }
    data = {"partition": "aws", "clusters": [summary], "described": {"j-1": described}}
    raw = RawService("emr", ACCOUNT, "us-east-1", data)
    (cluster,) = [r for r in emr_collector.normalize(raw) if r.type == "aws_emr_cluster"]
    assert status("emr_cluster_master_no_public_ip", cluster)[0] == expected


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ({"BlockPublicAccessConfiguration": {"BlockPublicSecurityGroupRules": True}}, "pass"),
        ({"BlockPublicAccessConfiguration": {"BlockPublicSecurityGroupRules": False}}, "fail"),
        ({"BlockPublicAccessConfiguration": {}}, "unknown"),
        (denied("emr", "GetBlockPublicAccessConfiguration"), "unknown"),
    ],
)
def test_emr_block_public_access_from_aws_shaped_responses(response: Any, expected: str) -> None:
    data = {"partition": "aws", "block_public_access": response, "clusters": []}
    (setting,) = emr_collector.normalize(RawService("emr", ACCOUNT, "us-east-1", data))
    assert status("emr_account_block_public_access_enabled", setting)[0] == expected


def user(**attributes: Any) -> Resource:
    return Resource(
        type="aws_iam_user",
        id=f"arn:aws:iam::{ACCOUNT}:user/u",
        source="aws",
        location=Location(account=ACCOUNT, region="global"),
        attributes={"name": "u", **attributes},
    )


def test_user_checks_unknown_when_credentials_were_not_listed() -> None:
    denied = Unknown("iam:ListMFADevices: AccessDenied")
    assert status("iam_user_mfa_enabled", user(mfa_enabled=denied, mfa_devices=denied))[0] == (
        "unknown"
    )
    keys = Unknown("iam:ListAccessKeys: AccessDenied")
    assert status("iam_user_access_keys_rotated_90_days", user(access_keys=keys))[0] == "unknown"
    undated = [{"id": "AKIA1", "status": "Active", "age_days": None}]
    verdict, message = status("iam_user_access_keys_rotated_90_days", user(access_keys=undated))
    assert verdict == "unknown" and "no creation date" in message


@pytest.mark.parametrize(("age", "expected"), [(90, "pass"), (91, "fail")])
def test_access_key_age_boundary(age: int, expected: str) -> None:
    keys = [{"id": "AKIA1", "status": "Active", "age_days": age}]
    assert status("iam_user_access_keys_rotated_90_days", user(access_keys=keys))[0] == expected


def recorder(item: dict[str, Any], recorder_status: Any) -> Resource:
    raw = RawService(
        "config",
        ACCOUNT,
        "us-east-1",
        {"recorders": {"ConfigurationRecorders": [item]}, "status": recorder_status},
    )
    (resource,) = config_collector.normalize(raw)
    return resource


def test_config_recorder_cases_moto_cannot_seed() -> None:
    group = {"allSupported": True, "includeGlobalResourceTypes": True}
    failing = recorder(
        {"name": "default", "recordingGroup": group},
        {
            "ConfigurationRecordersStatus": [
                {"name": "default", "recording": True, "lastStatus": "FAILURE"}
            ]
        },
    )
    assert status("config_recorder_recording", failing)[0] == "fail"
    linked = recorder(
        {
            "name": "AWSConfigurationRecorderForSecurityHub",
            "servicePrincipal": "securityhub.amazonaws.com",
            "recordingScope": "PAID",
            "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::EC2::Instance"]},
        },
        {"ConfigurationRecordersStatus": []},
    )
    verdict, message = status("config_recorder_recording", linked)
    assert verdict == "pass" and message.startswith("not applicable")
    refused = denied("config", "DescribeConfigurationRecorderStatus")
    unknown = recorder({"name": "default", "recordingGroup": group}, refused)
    assert status("config_recorder_recording", unknown)[0] == "unknown"


def test_rds_snapshot_unreadable_attributes_are_unknown() -> None:
    snapshot = {
        "DBSnapshotIdentifier": "snap",
        "DBSnapshotArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:snap",
    }
    raw = RawService(
        "rds",
        ACCOUNT,
        "us-east-1",
        {
            "db_snapshots": [snapshot],
            "db_snapshot_attributes": {"snap": denied("rds", "DescribeDBSnapshotAttributes")},
        },
    )
    (resource,) = rds_collector.normalize(raw)
    assert status("rds_snapshot_not_public", resource)[0] == "unknown"


@pytest.mark.parametrize(
    "check_id",
    [
        "iam_user_mfa_enabled",
        "iam_user_access_keys_rotated_90_days",
        "iam_root_account_mfa_enabled",
        "iam_root_account_no_access_keys",
        "iam_root_hardware_mfa_enabled",
        "emr_cluster_master_no_public_ip",
        "ec2_instance_managed_by_ssm",
        "ssm_instance_patch_compliant",
        "guardduty_detector_enabled",
        "config_recorder_recording",
        "secretsmanager_secret_rotation_enabled",
        "rds_snapshot_not_public",
    ],
)
def test_live_only_checks_never_judge_terraform(check_id: str) -> None:
    spec = REGISTRY.checks[check_id]
    assert spec.sources == ("aws",)
    terraform = Resource(
        type=spec.resource_types[0],
        id=f"{spec.resource_types[0]}.example",
        source="terraform",
        location=Location(file="main.tf", start_line=1, end_line=3),
        attributes={},
    )
    assert evaluate([terraform], [spec], REGISTRY).findings == []


# -- Lambda aliases: moto files an alias's permission and URL under the function itself ----------

PUBLIC_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "everyone", "Effect": "Allow", "Principal": "*", "Action": "lambda:*"}
        ],
    }
)


def lambda_function(aliases: Any, alias_policy: Any = None, alias_url: Any = None) -> Resource:
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:api"
    data = {
        "functions": [{"FunctionName": "api", "FunctionArn": arn, "Runtime": "python3.13"}],
        "policies": {"api": None},  # the function itself: no policy, no URL
        "url_configs": {"api": None},
        "aliases": {"api": aliases},
        "alias_policies": {"api:live": alias_policy},
        "alias_url_configs": {"api:live": alias_url},
    }
    (function,) = lambda_collector.normalize(RawService("lambda", ACCOUNT, "us-east-1", data))
    return function


@pytest.mark.parametrize(
    ("alias_policy", "alias_url", "expected"),
    [
        ({"Policy": PUBLIC_POLICY}, None, "fail"),
        (None, {"AuthType": "NONE", "FunctionUrl": "https://x.lambda-url.on.aws"}, "fail"),
        (None, {"AuthType": "AWS_IAM", "FunctionUrl": "https://x.lambda-url.on.aws"}, "pass"),
        (denied("lambda", "GetPolicy"), None, "unknown"),
    ],
)
def test_lambda_alias_policy_and_url_are_the_functions(
    alias_policy: Any, alias_url: Any, expected: str
) -> None:
    function = lambda_function([{"Name": "live"}], alias_policy, alias_url)
    assert status("lambda_function_not_public", function)[0] == expected


def test_lambda_aliases_not_listed_is_unknown() -> None:
    verdict, message = status(
        "lambda_function_not_public", lambda_function(denied("lambda", "ListAliases"))
    )
    assert verdict == "unknown" and "ListAliases" in message
