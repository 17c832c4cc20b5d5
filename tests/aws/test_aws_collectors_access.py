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


def test_lambda_costs_three_calls_per_function_two_per_alias_and_a_denied_policy_is_unknown(
    clients: Any,
) -> None:
    lam = clients("lambda")
    public = create_function(clients, "public", Environment={"Variables": {"A": "b"}})
    lam.add_permission(
        FunctionName="public", StatementId="all", Action="lambda:InvokeFunction", Principal="*"
    )
    lam.create_function_url_config(FunctionName="public", AuthType="AWS_IAM")
    version = lam.publish_version(FunctionName="public")["Version"]
    lam.create_alias(FunctionName="public", Name="live", FunctionVersion=version)
    quiet = create_function(clients, "quiet", Runtime="python3.7")
    full, by_id = assert_declared_and_round_trip(["lambda"])
    assert dict(full.requests_by_operation) == {
        "lambda.ListFunctions": 1,
        "lambda.ListAliases": 2,
        "lambda.GetPolicy": 3,
        "lambda.GetFunctionUrlConfig": 3,
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
    assert sorted(e.operation for _, e in collection.call_errors) == ["GetPolicy"] * 3

    collection, denied = scan(["lambda"], deny("lambda", "ListAliases"))
    assert status("lambda_function_not_public", denied[public]) == "fail"  # its own policy
    assert status("lambda_function_not_public", denied[quiet]) == "unknown"


def test_lambda_denied_url_config_leaves_a_public_policy_failing(clients: Any) -> None:
    public = create_function(clients, "public")
    clients("lambda").add_permission(
        FunctionName="public", StatementId="all", Action="lambda:InvokeFunction", Principal="*"
    )
    collection, denied = scan(["lambda"], deny("lambda", "GetFunctionUrlConfig"))
    # The public statement is certain; the unknown URL cannot make it pass.
    assert status("lambda_function_not_public", denied[public]) == "fail"
    assert [e.operation for _, e in collection.call_errors] == ["GetFunctionUrlConfig"]


# -- EBS snapshots and AMIs ---------------------------------------------------------------------


def test_snapshot_attributes_are_read_once_per_own_unencrypted_snapshot(clients: Any) -> None:
    ec2 = clients("ec2")
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    sealed_volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=True)
    plain = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    sealed = ec2.create_snapshot(VolumeId=sealed_volume["VolumeId"])["SnapshotId"]
    arn = "arn:aws:ec2:us-east-1::snapshot/{}".format
    full, by_id = assert_declared_and_round_trip(["ebs_snapshots"])
    # moto lists its built-in AMIs' snapshots too (other owners): never judged, never asked.
    assert {r.attributes["id"] for r in by_id.values()} == {plain, sealed}
    assert full.requests_by_operation["ec2.DescribeSnapshots"] == 1
    assert full.requests_by_operation["ec2.DescribeSnapshotAttribute"] == 1
    assert by_id[arn(plain)].attributes["shared_accounts"] == []

    collection, denied = scan(["ebs_snapshots"], deny("ec2", "DescribeSnapshotAttribute"))
    assert status("ec2_ebs_snapshot_not_public", denied[arn(plain)]) == "unknown"
    assert status("ec2_ebs_snapshot_not_public", denied[arn(sealed)]) == "pass"
    assert [e.operation for _, e in collection.call_errors] == ["DescribeSnapshotAttribute"]


def test_amis_cost_one_listing_and_a_denied_listing_is_an_error(clients: Any) -> None:
    ec2 = clients("ec2")
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
    image = ec2.create_image(InstanceId=instance["Instances"][0]["InstanceId"], Name="own-image")
    full, by_id = assert_declared_and_round_trip(["amis"])
    assert list(by_id) == [f"arn:aws:ec2:us-east-1::image/{image['ImageId']}"]
    assert full.requests_by_operation["ec2.DescribeImages"] == 1
    collection, denied = scan(["amis"], deny("ec2", "DescribeImages"))
    assert not denied
    assert [e.operation for _, e in collection.call_errors] == ["DescribeImages"]


# -- network ACLs -------------------------------------------------------------------------------


def test_network_acls_cost_one_listing_and_keep_rule_order(clients: Any) -> None:
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=100,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        Ipv6CidrBlock="::/0",
        PortRange={"From": 22, "To": 22},
    )
    full, by_id = assert_declared_and_round_trip(["network_acls"])
    assert full.requests_by_operation["ec2.DescribeNetworkAcls"] == 1
    resource = by_id[f"arn:aws:ec2:us-east-1:123456789012:network-acl/{acl}"]
    assert resource.attributes["ingress"] == [
        {
            "rule_number": 100,
            "action": "allow",
            "protocol": "6",
            "cidr_block": None,
            "ipv6_cidr_block": "::/0",
            "from_port": 22,
            "to_port": 22,
        }
    ]
    assert status("vpc_network_acl_admin_ports_not_open_to_internet", resource) == "fail"
    # Every default ACL (moto's default VPC, the new VPC's) allows all traffic: it fails too.
    defaults = [r for r in by_id.values() if r.attributes["is_default"]]
    assert defaults
    assert {status("vpc_network_acl_admin_ports_not_open_to_internet", r) for r in defaults} == {
        "fail"
    }
    collection, denied = scan(["network_acls"], deny("ec2", "DescribeNetworkAcls"))
    assert not denied
    assert [e.operation for _, e in collection.call_errors] == ["DescribeNetworkAcls"]
