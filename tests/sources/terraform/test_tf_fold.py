"""Companion folding into canonical aws_s3_bucket, aws_security_group and aws_vpc."""

from __future__ import annotations

from scanner.core.model import ComputedRef, is_unknown

FOLDED_S3 = (
    "acl",
    "acl_grants",
    "server_side_encryption",
    "versioning",
    "logging",
    "public_access_block",
    "policy",
)


def test_companions_are_not_resources_of_their_own(load):
    types = {resource.type for resource in load("s3_companions").resources}
    assert types == {"aws_s3_bucket", "aws_kms_key"}


def test_s3_companions_folded_by_id(load, by_id):
    bucket = by_id(load("s3_companions"))["aws_s3_bucket.by_id"].attributes
    assert bucket["server_side_encryption"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": ComputedRef("aws_kms_key.s3.arn"),
        "bucket_key_enabled": True,
    }
    assert bucket["versioning"] == {"enabled": True, "mfa_delete": False}
    assert bucket["public_access_block"] == dict.fromkeys(
        (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ),
        True,
    )
    assert bucket["logging"] == {"target_bucket": "central-logs", "target_prefix": "by-id/"}
    assert bucket["acl"] == "private"
    assert bucket["acl_grants"] == []
    statement = bucket["policy"]["Statement"]
    assert isinstance(statement, list) and len(statement) == 1
    assert statement[0]["Action"] == ["s3:*"]
    assert statement[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_s3_companions_folded_by_bucket_attribute(load, by_id):
    bucket = by_id(load("s3_companions"))["aws_s3_bucket.by_bucket"].attributes
    assert bucket["server_side_encryption"] == {
        "sse_algorithm": "AES256",
        "kms_master_key_id": None,
        "bucket_key_enabled": None,
    }
    assert bucket["versioning"] == {"enabled": False, "mfa_delete": None}
    assert bucket["public_access_block"] == {
        "block_public_acls": True,
        "block_public_policy": False,
        "ignore_public_acls": False,
        "restrict_public_buckets": False,
    }
    assert bucket["logging"] == {
        "target_bucket": ComputedRef("aws_s3_bucket.by_id.id"),
        "target_prefix": None,
    }
    assert bucket["acl"] is None
    assert bucket["acl_grants"] == [
        {
            "grantee_uri": "http://acs.amazonaws.com/groups/global/AllUsers",
            "grantee_type": "Group",
            "permission": "READ",
        }
    ]
    assert bucket["policy"]["Statement"][0]["Resource"] == ["arn:aws:s3:::by-bucket/*"]


def test_s3_companions_folded_by_literal_name(load, by_id):
    bucket = by_id(load("s3_companions"))["aws_s3_bucket.by_name"].attributes
    assert bucket["server_side_encryption"]["sse_algorithm"] == "aws:kms"
    assert bucket["versioning"]["enabled"] is True
    assert bucket["public_access_block"]["block_public_policy"] is True
    assert bucket["logging"]["target_bucket"] == "central-logs"
    assert bucket["acl"] == "log-delivery-write"
    assert bucket["policy"]["Statement"][0]["Principal"] == "*"


def test_bucket_without_companions_has_empty_canonical_shape(load, by_id):
    bucket = by_id(load("s3_companions"))["aws_s3_bucket.bare"].attributes
    assert bucket == {
        "bucket": "bare",
        "acl": None,
        "acl_grants": [],
        "server_side_encryption": None,
        "versioning": None,
        "logging": None,
        "public_access_block": None,
        "policy": None,
    }


def test_companion_of_a_bucket_outside_the_configuration_warns(load):
    warnings = load("s3_companions").warnings
    assert len(warnings) == 1
    assert "aws_s3_bucket_versioning.elsewhere" in warnings[0].message


def test_v3_inline_blocks_give_the_same_shape_as_v4_companions(load, by_id):
    resources = by_id(load("s3_v3_v4"))
    v3 = resources["v3:aws_s3_bucket.phi"].attributes
    v4 = resources["v4:aws_s3_bucket.phi"].attributes
    for key in ("bucket", *FOLDED_S3):
        assert v3[key] == v4[key], key
    assert v3["server_side_encryption"]["bucket_key_enabled"] is True
    assert len(v3["acl_grants"]) == 2
    assert "server_side_encryption_configuration" not in v3
    assert "grant" not in v3


def test_security_group_rules_folded_in_all_three_forms(load, by_id):
    group = by_id(load("security_groups"))["aws_security_group.web"].attributes
    assert group["name"] == "web"
    assert group["vpc_id"] == ComputedRef("aws_vpc.main.id")
    ingress = {(r["from_port"], r["to_port"]): r for r in group["ingress"]}
    assert set(ingress) == {(443, 443), (22, 22), (8080, 8080), (3389, 3389)}
    assert ingress[(443, 443)]["cidr_blocks"] == ["0.0.0.0/0"]  # inline
    assert ingress[(22, 22)]["cidr_blocks"] == ["10.0.0.0/8"]  # aws_security_group_rule by .id
    assert ingress[(8080, 8080)] == {  # aws_security_group_rule by literal name
        "from_port": 8080,
        "to_port": 8080,
        "protocol": "tcp",
        "cidr_blocks": [],
        "ipv6_cidr_blocks": [],
        "security_groups": ["sg-0123"],
        "self": False,
        "description": None,
    }
    assert ingress[(3389, 3389)]["ipv6_cidr_blocks"] == ["::/0"]  # vpc ingress rule
    assert ingress[(3389, 3389)]["description"] == "rdp"
    egress = group["egress"]
    assert len(egress) == 2
    assert all(
        r["protocol"] == "-1" and (r["from_port"], r["to_port"]) == (0, 65535) for r in egress
    )
    assert egress[1]["cidr_blocks"] == ["10.0.0.0/8"]  # vpc egress rule, -1 means all ports


def test_flow_log_folded_into_its_vpc(load, by_id):
    resources = by_id(load("flow_logs"))
    logged = resources["aws_vpc.logged"].attributes
    assert logged["cidr_block"] == "10.1.0.0/16"
    assert logged["flow_logs"] == [
        {
            "vpc_id": ComputedRef("aws_vpc.logged.id"),
            "traffic_type": "ALL",
            "log_destination": ComputedRef("aws_cloudwatch_log_group.flow.arn"),
        }
    ]
    assert resources["aws_vpc.unlogged"].attributes["flow_logs"] == []
    assert "aws_flow_log.logged" not in resources
    assert "aws_flow_log.subnet" in resources  # not a VPC flow log: kept as it is


def test_iam_policy_document_rendered(load, by_id):
    resources = by_id(load("policy_document"))
    policy = resources["aws_iam_policy.admin"].attributes["policy"]
    assert policy["Version"] == "2012-10-17"
    admin, deny = policy["Statement"]
    assert admin == {"Sid": "Admin", "Effect": "Allow", "Action": ["*"], "Resource": ["*"]}
    assert deny == {
        "Effect": "Deny",
        "NotAction": ["s3:GetObject"],
        "Resource": [ComputedRef("aws_s3_bucket.data.arn")],
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert resources["aws_iam_policy.decoded"].attributes["policy"] == policy


def test_unresolvable_policy_is_unknown(load, by_id):
    assert is_unknown(
        by_id(load("policy_document"))["aws_iam_policy.not_json"].attributes["policy"]
    )


def test_unknown_part_of_a_policy_stays_in_place(load, by_id):
    """Only the action is unknown: the rest of the document is known and judgeable."""
    policy = by_id(load("policy_document"))["aws_iam_policy.unknown"].attributes["policy"]
    statement = policy["Statement"][0]
    assert statement["Resource"] == ["*"]
    assert is_unknown(statement["Action"][0])


def test_alb_aliases_are_canonical(tmp_path, by_id):
    from scanner.sources.terraform import load_terraform

    (tmp_path / "lb.tf").write_text(
        'resource "aws_alb" "a" {\n  internal = true\n}\n'
        'resource "aws_alb_listener" "l" {\n  port = 443\n  load_balancer_arn = aws_alb.a.arn\n}\n'
    )
    resources = by_id(load_terraform(tmp_path))
    assert resources["aws_alb.a"].type == "aws_lb"
    assert resources["aws_alb_listener.l"].type == "aws_lb_listener"
