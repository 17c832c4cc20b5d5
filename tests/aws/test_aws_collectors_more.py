"""Normalization details of the RDS, KMS, CloudTrail, Logs, DynamoDB, ELB, EKS, GuardDuty,
Config, Secrets Manager, SNS and SQS collectors against seeded moto state. Denied calls are
injected by a botocore `before-call` handler raising AccessDenied, so the real recorder turns
them into error markers exactly as a missing permission would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.model import Resource, is_unknown
from scanner.core.registry import load_registry
from scanner.sources.aws.collector import CallError, RawService
from scanner.sources.aws.collectors import collectors_by_name
from scanner.sources.aws.inventory import AwsCollection, collect_aws, normalize_collection

REGION = "us-east-1"
ACCOUNT = "123456789012"
REGISTRY = load_registry()
PASSWORD = "not-a-real-password"


def deny(service_id: str, operation: str) -> tuple[str, Callable[..., Any]]:
    def handler(**_kwargs: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, operation)

    return (f"before-call.{service_id}.{operation}", handler)


@dataclass
class Scanned:
    collection: AwsCollection
    by_id: dict[str, Resource]


def scan(services: Sequence[str], *denied: tuple[str, Callable[..., Any]]) -> Scanned:
    """A real collection of `services` in us-east-1, with `denied` calls failing."""
    collection = collect_aws(regions=[REGION], services=list(services), event_handlers=denied)
    errors: list[Any] = []
    resources = normalize_collection(collection.raw_services, errors)
    assert not errors, [e.to_dict() for e in errors]
    return Scanned(collection, {r.id: r for r in resources})


def status(check_id: str, resource: Resource) -> str:
    (finding,) = evaluate([resource], [REGISTRY.checks[check_id]], REGISTRY).findings
    return str(finding.status.value)


def operations(scanned: Scanned) -> set[str]:
    """The API operations the collectors called (the scan's own GetCallerIdentity left out)."""
    called = {key.rsplit(".", 1)[-1] for key in scanned.collection.requests_by_operation}
    return called - {"GetCallerIdentity"}


# -- DynamoDB -----------------------------------------------------------------------------------


def _table(clients: Any, name: str, **settings: Any) -> str:
    created = clients("dynamodb").create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        **settings,
    )
    return str(created["TableDescription"]["TableArn"])


def test_dynamodb_sse_absent_is_the_aws_owned_key_and_pitr_is_parsed(clients: Any) -> None:
    key = clients("kms").create_key()["KeyMetadata"]["Arn"]
    owned = _table(clients, "owned")
    customer = _table(
        clients, "customer", SSESpecification={"Enabled": True, "KMSMasterKeyId": key}
    )
    clients("dynamodb").update_continuous_backups(
        TableName="customer",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    found = scan(["dynamodb"]).by_id
    assert found[owned].attributes["server_side_encryption"] == [{"enabled": False}]
    assert found[owned].attributes["point_in_time_recovery"] == [{"enabled": False}]
    assert found[customer].attributes["server_side_encryption"] == [
        {"enabled": True, "kms_key_arn": key}
    ]
    assert found[customer].attributes["point_in_time_recovery"][0]["enabled"] is True
    assert found[customer].attributes["billing_mode"] == "PAY_PER_REQUEST"
    calls = ("DescribeTable", "DescribeContinuousBackups")
    denied = scan(["dynamodb"], *(deny("dynamodb", call) for call in calls))
    table = denied.by_id[owned]  # the ARN is rebuilt from the name when DescribeTable fails
    assert "DescribeTable" in table.attributes["server_side_encryption"].reason
    assert status("dynamodb_table_encrypted_with_kms", table) == "unknown"
    assert status("dynamodb_table_point_in_time_recovery_enabled", table) == "unknown"
    assert len(denied.collection.call_errors) == 4


# -- KMS ----------------------------------------------------------------------------------------


def test_kms_rotation_policy_and_skipped_keys(clients: Any) -> None:
    kms = clients("kms")
    rotating = kms.create_key()["KeyMetadata"]
    kms.enable_key_rotation(KeyId=rotating["KeyId"])
    asymmetric = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    external = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    doomed = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=7)

    found = scan(["kms"])
    key = found.by_id[rotating["Arn"]]
    assert key.attributes["enable_key_rotation"] is True
    policy = key.attributes["policy"]
    assert isinstance(policy["Statement"], list)
    assert all(isinstance(s["Action"], list) for s in policy["Statement"] if "Action" in s)
    assert "enable_key_rotation" not in found.by_id[asymmetric["Arn"]].attributes
    assert status("kms_key_rotation_enabled", found.by_id[asymmetric["Arn"]]) == "pass"
    assert found.by_id[external["Arn"]].type == "aws_kms_external_key"
    assert doomed["Arn"] not in found.by_id
    # Rotation status is asked only of the one key that can rotate automatically.
    assert found.collection.requests_by_operation.get("kms.GetKeyRotationStatus") == 1
    denied = scan(["kms"], deny("kms", "GetKeyRotationStatus"), deny("kms", "GetKeyPolicy"))
    key = denied.by_id[rotating["Arn"]]
    assert is_unknown(key.attributes["enable_key_rotation"]) and is_unknown(
        key.attributes["policy"]
    )
    assert status("kms_key_rotation_enabled", key) == "unknown"


DENIED_DESCRIBE = CallError("kms", "DescribeKey", REGION, "AccessDeniedException", "no")


def test_kms_aws_managed_keys_are_skipped_and_undescribed_keys_unknown() -> None:
    # Moto cannot create an AWS-managed key (KeyManager "AWS"), so this is normalizer-only.
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
    data = {
        "keys": [{"KeyId": "managed", "KeyArn": arn + "managed"}, {"KeyArn": arn + "denied"}],
        "key_details": {
            arn + "managed": {
                "describe": {"KeyMetadata": {"Arn": arn + "managed", "KeyManager": "AWS"}}
            },
            arn + "denied": {"describe": DENIED_DESCRIBE.as_marker()},
        },
    }
    kms = collectors_by_name()["kms"]
    (denied,) = kms.normalize(RawService("kms", ACCOUNT, REGION, data))
    assert denied.id == arn + "denied"
    assert is_unknown(denied.attributes["customer_master_key_spec"])
    assert status("kms_key_rotation_enabled", denied) == "unknown"


# -- RDS ----------------------------------------------------------------------------------------


def _instance(clients: Any, name: str, **settings: Any) -> dict[str, Any]:
    base = {
        "Engine": "postgres",
        "DBInstanceClass": "db.t3.micro",
        "AllocatedStorage": 20,
        "MasterUsername": "admin_user",
        "MasterUserPassword": PASSWORD,
    }
    created = clients("rds").create_db_instance(DBInstanceIdentifier=name, **{**base, **settings})
    return dict(created["DBInstance"])


def test_rds_snapshots_public_and_shared(clients: Any) -> None:
    rds = clients("rds")
    _instance(clients, "db")
    public = rds.create_db_snapshot(DBSnapshotIdentifier="public", DBInstanceIdentifier="db")
    private = rds.create_db_snapshot(DBSnapshotIdentifier="private", DBInstanceIdentifier="db")
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="public", AttributeName="restore", ValuesToAdd=["all", "111122223333"]
    )
    found = scan(["rds"]).by_id
    shared = found[public["DBSnapshot"]["DBSnapshotArn"]].attributes
    assert shared["public"] is True and shared["shared_accounts"] == ["111122223333"]
    assert found[private["DBSnapshot"]["DBSnapshotArn"]].attributes["public"] is False
    # Automated snapshots cannot be shared, so only manual ones are collected.
    snapshots = [r for r in found.values() if r.type == "aws_db_snapshot"]
    assert {r.attributes["snapshot_type"] for r in snapshots} == {"manual"}
    denied = scan(["rds"], deny("rds", "DescribeDBSnapshotAttributes")).by_id
    assert is_unknown(denied[public["DBSnapshot"]["DBSnapshotArn"]].attributes["public"])


def test_rds_cluster_members_are_cluster_instances(clients: Any) -> None:
    clients("rds").create_db_cluster(
        DBClusterIdentifier="aurora",
        Engine="aurora-postgresql",
        MasterUsername="admin_user",
        MasterUserPassword=PASSWORD,
        StorageEncrypted=True,
    )
    member = _instance(clients, "member", Engine="aurora-postgresql", DBClusterIdentifier="aurora")
    standalone = _instance(clients, "standalone", StorageEncrypted=True, MultiAZ=True)
    found = scan(["rds"]).by_id
    node = found[member["DBInstanceArn"]]
    assert node.type == "aws_rds_cluster_instance"
    assert node.attributes["cluster_identifier"] == "aurora"
    assert "multi_az" not in node.attributes and "storage_encrypted" not in node.attributes
    db = found[standalone["DBInstanceArn"]].attributes
    assert db["storage_encrypted"] is True and db["multi_az"] is True
    assert db["backup_retention_period"] == 1


# -- CloudTrail, Logs ---------------------------------------------------------------------------


def test_cloudtrail_status_selectors_and_home_region(clients: Any) -> None:
    clients("s3").create_bucket(Bucket="trail-bucket")
    cloudtrail = clients("cloudtrail")
    logging_trail = cloudtrail.create_trail(Name="main", S3BucketName="trail-bucket")["TrailARN"]
    cloudtrail.start_logging(Name="main")
    cloudtrail.put_event_selectors(
        TrailName="main",
        EventSelectors=[
            {
                "ReadWriteType": "WriteOnly",
                "IncludeManagementEvents": True,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
            }
        ],
    )
    stopped = cloudtrail.create_trail(Name="stopped", S3BucketName="trail-bucket")["TrailARN"]
    west = clients("cloudtrail", "us-west-2")
    west.create_trail(Name="west", S3BucketName="trail-bucket", IsMultiRegionTrail=True)

    found = scan(["cloudtrail"]).by_id
    assert set(found) == {logging_trail, stopped}  # the us-west-2 trail lives in its region
    main = found[logging_trail].attributes
    assert main["enable_logging"] is True
    (selector,) = main["event_selector"]
    assert selector["read_write_type"] == "WriteOnly"
    assert selector["data_resource"] == [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]
    assert found[stopped].attributes["enable_logging"] is False
    denied = scan(["cloudtrail"], deny("cloudtrail", "GetTrailStatus")).by_id[stopped]
    assert is_unknown(denied.attributes["enable_logging"])
    assert denied.attributes["is_multi_region_trail"] is False  # still known


def test_log_group_arn_and_never_expiring_retention(clients: Any) -> None:
    clients("logs").create_log_group(logGroupName="/app")
    (group,) = scan(["logs"]).by_id.values()
    assert group.id == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/app"
    assert "retention_in_days" not in group.attributes
    assert status("cloudwatch_log_group_retention_365_days", group) == "pass"


# -- ELB, EKS -----------------------------------------------------------------------------------


def test_elbv2_listener_actions_and_lb_attributes(clients: Any) -> None:
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    elbv2 = clients("elbv2")
    lb = elbv2.create_load_balancer(Name="web", Subnets=[subnet], Scheme="internal")
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=lb_arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
    )
    listener = elbv2.create_listener(
        LoadBalancerArn=lb_arn,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_302"},
            }
        ],
    )["Listeners"][0]["ListenerArn"]
    found = scan(["elbv2"]).by_id
    balancer = found[lb_arn].attributes
    assert balancer["internal"] is True and balancer["enable_deletion_protection"] is True
    (action,) = found[listener].attributes["default_action"]
    assert action["type"] == "redirect"
    redirect = action["redirect"][0]
    assert (redirect["protocol"], redirect["port"], redirect["status_code"]) == (
        "HTTPS",
        "443",
        "HTTP_302",
    )
    assert status("elb_listener_encrypted_in_transit", found[listener]) == "pass"


def test_eks_log_types_and_denied_describe(clients: Any) -> None:
    eks = clients("eks")
    arn = eks.create_cluster(
        name="main",
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/eks",
        resourcesVpcConfig={"subnetIds": [], "publicAccessCidrs": ["198.51.100.0/24"]},
        logging={
            "clusterLogging": [
                {"types": ["audit", "api"], "enabled": True},
                {"types": ["scheduler"], "enabled": False},
            ]
        },
    )["cluster"]["arn"]
    cluster = scan(["eks"]).by_id[arn].attributes
    assert cluster["enabled_cluster_log_types"] == ["api", "audit"]
    assert cluster["vpc_config"][0]["public_access_cidrs"] == ["198.51.100.0/24"]
    denied = scan(["eks"], deny("eks", "DescribeCluster")).by_id[arn]
    for check_id in (
        "eks_cluster_secrets_encrypted",
        "eks_cluster_endpoint_not_public",
        "eks_cluster_control_plane_logging_enabled",
    ):
        assert status(check_id, denied) == "unknown", check_id


# -- GuardDuty, Config, Secrets Manager, SNS, SQS -----------------------------------------------


def test_guardduty_and_config_recorder(clients: Any) -> None:
    detector = clients("guardduty").create_detector(Enable=False)["DetectorId"]
    clients("config").put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    found = scan(["guardduty", "config"]).by_id
    guard = found[f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{detector}"]
    assert guard.attributes["enable"] is False
    (recorder,) = [r for r in found.values() if r.type == "aws_config_configuration_recorder"]
    assert recorder.attributes["recording"] is False
    assert recorder.attributes["recording_group"][0]["all_supported"] is True
    denied = scan(["config"], deny("config", "DescribeConfigurationRecorderStatus")).by_id
    (recorder,) = denied.values()
    assert is_unknown(recorder.attributes["recording"])


def test_secrets_are_never_read(clients: Any) -> None:
    secret = clients("secretsmanager").create_secret(
        Name="db-password", SecretString="hunter2-very-secret"
    )
    found = scan(["secretsmanager"])
    assert operations(found) == {"ListSecrets"}
    assert "hunter2" not in json.dumps([s.to_dict() for s in found.collection.raw_services])
    attributes = found.by_id[secret["ARN"]].attributes
    assert attributes["rotation_enabled"] is False
    assert "kms_key_id" not in attributes  # aws/secretsmanager, the default
    collector = collectors_by_name()["secretsmanager"]
    assert not any("GetSecretValue" in action for action in collector.actions)


def test_sns_and_sqs_encryption_attributes(clients: Any) -> None:
    plain_topic = clients("sns").create_topic(Name="plain")["TopicArn"]
    sqs = clients("sqs")
    created = sqs.create_queue(QueueName="no-sse", Attributes={"SqsManagedSseEnabled": "false"})
    queue = sqs.get_queue_attributes(QueueUrl=created["QueueUrl"], AttributeNames=["QueueArn"])
    queue_arn = queue["Attributes"]["QueueArn"]
    found = scan(["sns", "sqs"]).by_id
    assert "kms_master_key_id" not in found[plain_topic].attributes
    assert found[plain_topic].attributes["policy"]["Statement"][0]["Action"]
    assert found[queue_arn].attributes["sqs_managed_sse_enabled"] is False
    denied = scan(["sqs"], deny("sqs", "GetQueueAttributes")).by_id
    assert status("sqs_queue_encrypted", denied[queue_arn]) == "unknown"  # ARN from the URL


# -- every collector of this set ----------------------------------------------------------------

MINE = (
    "rds", "kms", "cloudtrail", "logs", "dynamodb", "elbv2", "elb", "eks",
    "guardduty", "config", "secretsmanager", "sns", "sqs",
)  # fmt: skip


def test_declared_actions_and_snapshot_round_trip(clients: Any) -> None:
    clients("s3").create_bucket(Bucket="trail-bucket")
    clients("cloudtrail").create_trail(Name="main", S3BucketName="trail-bucket")
    clients("kms").create_key()
    _table(clients, "t")
    clients("sns").create_topic(Name="t")
    clients("sqs").create_queue(QueueName="q")
    clients("guardduty").create_detector(Enable=True)
    _instance(clients, "db")
    clients("rds").create_db_snapshot(DBSnapshotIdentifier="s", DBInstanceIdentifier="db")
    scanned = scan(list(MINE))
    declared = {
        action.split(":", 1)[1] for name in MINE for action in collectors_by_name()[name].actions
    }
    assert operations(scanned) <= declared, operations(scanned) - declared
    assert not scanned.collection.scan_errors()
    # A snapshot (JSON) re-normalizes into exactly the resources the live run produced.
    services = [
        RawService.from_dict(json.loads(json.dumps(s.to_dict())))
        for s in scanned.collection.raw_services
    ]
    again = {r.id: (r.type, r.attributes) for r in normalize_collection(services)}
    assert again == {r.id: (r.type, r.attributes) for r in scanned.by_id.values()}
