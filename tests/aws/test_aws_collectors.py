"""Per-collector normalization against seeded moto state: the canonical shapes of
docs/resource-schema.md, built from real API responses."""

from __future__ import annotations

import json

from scanner.sources.aws.inventory import collect_aws, normalize_collection

ACCOUNT = "123456789012"


def _resources(services, regions=("us-east-1",)):
    collection = collect_aws(regions=list(regions), services=services)
    assert not collection.scan_errors(), [e.to_dict() for e in collection.scan_errors()]
    errors: list = []
    resources = normalize_collection(collection.raw_services, errors)
    assert not errors
    return {r.id: r for r in resources}


def test_s3_bucket_folds_every_setting(clients) -> None:
    s3 = clients("s3", "eu-west-1")
    s3.create_bucket(Bucket="phi-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_encryption(
        Bucket="phi-eu",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "arn:aws:kms:eu-west-1:123456789012:key/abc",
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_bucket_versioning(Bucket="phi-eu", VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(
        Bucket="logs-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    s3.put_bucket_acl(Bucket="logs-eu", ACL="log-delivery-write")
    s3.put_bucket_logging(
        Bucket="phi-eu",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "logs-eu", "TargetPrefix": "l/"}},
    )
    s3.put_public_access_block(
        Bucket="phi-eu", PublicAccessBlockConfiguration={"BlockPublicAcls": True}
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
    }
    s3.put_bucket_policy(Bucket="phi-eu", Policy=json.dumps(policy))

    bucket = _resources(["s3"])["arn:aws:s3:::phi-eu"]
    assert bucket.type == "aws_s3_bucket" and bucket.source == "aws"
    assert bucket.location.account == ACCOUNT and bucket.location.region == "eu-west-1"
    a = bucket.attributes
    assert a["server_side_encryption"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": "arn:aws:kms:eu-west-1:123456789012:key/abc",
        "bucket_key_enabled": True,
    }
    assert a["versioning"] == {"enabled": True, "mfa_delete": None} or a["versioning"]["enabled"]
    assert a["logging"] == {"target_bucket": "logs-eu", "target_prefix": "l/"}
    assert a["public_access_block"] == {
        "block_public_acls": True,
        "block_public_policy": False,
        "ignore_public_acls": False,
        "restrict_public_buckets": False,
    }
    assert a["policy"]["Statement"] == [
        {"Effect": "Deny", "Principal": "*", "Action": ["s3:*"], "Resource": ["*"]}
    ]
    assert a["acl"] is None
    assert [g["permission"] for g in a["acl_grants"]] == ["FULL_CONTROL"]


def test_s3_bucket_without_settings_is_absent_not_unknown(clients) -> None:
    clients("s3").create_bucket(Bucket="bare-bucket")
    a = _resources(["s3"])["arn:aws:s3:::bare-bucket"].attributes
    for key in ("server_side_encryption", "versioning", "logging", "public_access_block", "policy"):
        assert a[key] is None, key


def test_security_group_rules_have_the_canonical_shape(clients) -> None:
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "all"}]},
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
                "UserIdGroupPairs": [{"GroupId": group}],
            },
        ],
    )
    resource = _resources(["ec2"])[f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{group}"]
    assert resource.attributes["vpc_id"] == vpc
    rules = sorted(resource.attributes["ingress"], key=lambda r: r["protocol"])
    assert rules[0] == {
        "from_port": 0,
        "to_port": 65535,
        "protocol": "-1",
        "cidr_blocks": ["10.0.0.0/8"],
        "ipv6_cidr_blocks": [],
        "security_groups": [],
        "self": False,
        "prefix_list_ids": [],
        "description": "all",
    }
    assert rules[1]["from_port"] == 443 and rules[1]["ipv6_cidr_blocks"] == ["::/0"]
    assert rules[1]["self"] is True and rules[1]["cidr_blocks"] == []
    assert resource.attributes["egress"][0]["cidr_blocks"] == ["0.0.0.0/0"]


def test_vpc_flow_logs_instances_and_volumes(clients) -> None:
    ec2 = clients("ec2")
    clients("s3").create_bucket(Bucket="flow-logs-bucket")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="REJECT",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-logs-bucket",
    )
    instance = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
    )["Instances"][0]["InstanceId"]
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=5, Encrypted=True)["VolumeId"]
    resources = _resources(["ec2"])
    logs = resources[f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/{vpc}"].attributes["flow_logs"]
    assert len(logs) == 1 and logs[0]["traffic_type"] == "REJECT"
    assert logs[0]["log_destination"] == "arn:aws:s3:::flow-logs-bucket"
    options = resources[f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{instance}"].attributes[
        "metadata_options"
    ]
    assert options[0]["http_tokens"] == "required" and options[0]["http_endpoint"] == "enabled"
    vol = resources[f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/{volume}"]
    assert vol.attributes["encrypted"] is True and vol.attributes["snapshot_id"] is None
    default = resources[f"arn:aws:ec2:us-east-1:{ACCOUNT}:ebs-encryption-by-default"]
    assert default.attributes == {"enabled": False}


def test_iam_policies_users_and_account(clients) -> None:
    iam = clients("iam")
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
    }
    iam.create_policy(PolicyName="readers", Path="/team/", PolicyDocument=json.dumps(document))
    iam.create_user(UserName="alice")
    iam.create_access_key(UserName="alice")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-mfa")["VirtualMFADevice"][
        "SerialNumber"
    ]
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    resources = _resources(["iam"])
    policy = resources[f"arn:aws:iam::{ACCOUNT}:policy/team/readers"]
    assert policy.type == "aws_iam_policy"
    assert policy.attributes["policy"]["Statement"] == [
        {"Sid": "A", "Effect": "Allow", "Action": ["s3:Get*"], "Resource": ["*"]}
    ]
    user = resources[f"arn:aws:iam::{ACCOUNT}:user/alice"].attributes
    assert user["mfa_enabled"] is True and user["mfa_devices"] == [serial]
    (key,) = user["access_keys"]
    assert key["status"] == "Active" and key["age_days"] == 0
    password = resources[f"arn:aws:iam::{ACCOUNT}:account-password-policy"].attributes
    assert password["aws_default"] is True and password["minimum_password_length"] == 8
    root = resources[f"arn:aws:iam::{ACCOUNT}:root"]
    assert root.type == "aws_iam_account" and root.attributes["root_mfa_enabled"] is False


def test_account_public_access_block_is_emitted_even_when_unset(clients) -> None:
    block = _resources(["s3"])[f"arn:aws:s3::{ACCOUNT}:account-public-access-block"]
    assert block.type == "aws_s3_account_public_access_block"
    assert block.attributes["configured"] is False
