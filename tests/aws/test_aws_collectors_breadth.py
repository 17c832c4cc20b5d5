"""The issue-14 collectors (EFS, ECR, ...) against seeded moto state: declared actions cover every
operation sent, a snapshot re-normalizes identically, and a denied call makes only the checks
that depend on it unknown. Denied calls are injected by a botocore `before-call` handler raising
AccessDenied, so the real recorder turns them into error markers exactly as IAM would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import ClientError

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.model import Resource
from scanner.core.registry import load_registry
from scanner.sources.aws.collector import RawService
from scanner.sources.aws.collectors import collectors_by_name
from scanner.sources.aws.inventory import AwsCollection, collect_aws, normalize_collection

REGION = "us-east-1"
REGISTRY = load_registry()


def deny(service_id: str, operation: str) -> tuple[str, Callable[..., Any]]:
    def handler(**_kwargs: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, operation)

    return (f"before-call.{service_id}.{operation}", handler)


def scan(
    services: Sequence[str], *denied: tuple[str, Callable[..., Any]]
) -> tuple[AwsCollection, dict[str, Resource]]:
    collection = collect_aws(regions=[REGION], services=list(services), event_handlers=denied)
    errors: list[Any] = []
    resources = normalize_collection(collection.raw_services, errors)
    assert not errors, [e.to_dict() for e in errors]
    return collection, {r.id: r for r in resources}


def status(check_id: str, resource: Resource) -> str:
    (finding,) = evaluate([resource], [REGISTRY.checks[check_id]], REGISTRY).findings
    return str(finding.status.value)


def assert_declared_and_round_trip(
    services: Sequence[str],
) -> tuple[AwsCollection, dict[str, Resource]]:
    collection, by_id = scan(services)
    called = {key.rsplit(".", 1)[-1] for key in collection.requests_by_operation}
    called -= {"GetCallerIdentity"}
    declared = {
        action.split(":", 1)[1]
        for name in services
        for action in collectors_by_name()[name].actions
    }
    if "GET" in declared:  # apigateway:GET authorizes every API Gateway read (Get*)
        called = {op for op in called if not op.startswith("Get")} | (called & declared)
    assert called <= declared, called - declared
    assert not collection.scan_errors(), [e.to_dict() for e in collection.scan_errors()]
    services_raw = [
        RawService.from_dict(json.loads(json.dumps(s.to_dict()))) for s in collection.raw_services
    ]
    again = {r.id: (r.type, r.attributes) for r in normalize_collection(services_raw)}
    assert again == {r.id: (r.type, r.attributes) for r in by_id.values()}
    return collection, by_id


# -- EFS ----------------------------------------------------------------------------------------


def test_efs_denied_backup_policy_leaves_encryption_judged(clients: Any) -> None:
    efs = clients("efs")
    arn = efs.create_file_system(CreationToken="fs", Encrypted=True)["FileSystemArn"]
    full, by_id = assert_declared_and_round_trip(["efs"])
    assert by_id[arn].attributes["backup_policy"] == []
    # One DescribeBackupPolicy per file system, one listing per region: nothing repeated.
    assert full.requests_by_operation["efs.DescribeBackupPolicy"] == 1
    assert full.requests_by_operation["efs.DescribeFileSystems"] == 1
    collection, denied = scan(["efs"], deny("efs", "DescribeBackupPolicy"))
    assert status("efs_file_system_backup_policy_enabled", denied[arn]) == "unknown"
    assert status("efs_file_system_encrypted_at_rest", denied[arn]) == "pass"
    assert [e.operation for _, e in collection.call_errors] == ["DescribeBackupPolicy"]


def test_efs_denied_listing_yields_no_resource_and_an_error(clients: Any) -> None:
    clients("efs").create_file_system(CreationToken="fs")
    collection, by_id = scan(["efs"], deny("efs", "DescribeFileSystems"))
    assert not by_id
    assert [e.operation for _, e in collection.call_errors] == ["DescribeFileSystems"]


# -- ECR ----------------------------------------------------------------------------------------


def test_ecr_repository_settings_are_read_from_the_listing(clients: Any) -> None:
    ecr = clients("ecr")
    arn = ecr.create_repository(
        repositoryName="app",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
    )["repository"]["repositoryArn"]
    full, by_id = assert_declared_and_round_trip(["ecr"])
    assert full.requests_by_operation["ecr.DescribeRepositories"] == 1
    assert by_id[arn].attributes["image_tag_mutability"] == "IMMUTABLE"
    assert by_id[arn].attributes["image_scanning_configuration"] == [{"scan_on_push": True}]


# -- OpenSearch ---------------------------------------------------------------------------------


def test_opensearch_describes_five_domains_per_call_and_types_by_engine(clients: Any) -> None:
    opensearch = clients("opensearch")
    arns = [
        opensearch.create_domain(DomainName=f"domain-{i}", EngineVersion="OpenSearch_2.13")[
            "DomainStatus"
        ]["ARN"]
        for i in range(5)
    ]
    legacy = opensearch.create_domain(DomainName="legacy", EngineVersion="Elasticsearch_7.10")[
        "DomainStatus"
    ]["ARN"]
    full, by_id = assert_declared_and_round_trip(["opensearch"])
    assert full.requests_by_operation["opensearch.DescribeDomains"] == 2  # ceil(6 / 5)
    assert full.requests_by_operation["opensearch.ListDomainNames"] == 1
    assert {by_id[arn].type for arn in arns} == {"aws_opensearch_domain"}
    assert by_id[legacy].type == "aws_elasticsearch_domain"
    assert by_id[legacy].attributes["elasticsearch_version"] == "7.10"


def test_opensearch_denied_describe_keeps_the_domains_unknown(clients: Any) -> None:
    arn = clients("opensearch").create_domain(DomainName="denied", EngineVersion="OpenSearch_2.13")[
        "DomainStatus"
    ]["ARN"]
    collection, by_id = scan(["opensearch"], deny("opensearch", "DescribeDomains"))
    assert arn in by_id, sorted(by_id)
    for check_id in (
        "opensearch_domain_encrypted_at_rest",
        "opensearch_domain_node_to_node_encrypted",
        "opensearch_domain_https_tls_1_2_enforced",
        "opensearch_domain_in_vpc",
        "opensearch_domain_audit_logging_enabled",
    ):
        assert status(check_id, by_id[arn]) == "unknown", check_id
    assert [e.operation for _, e in collection.call_errors] == ["DescribeDomains"]


# -- Redshift -----------------------------------------------------------------------------------


def test_redshift_denied_logging_status_leaves_other_checks_judged(clients: Any) -> None:
    clients("redshift").create_cluster(
        ClusterIdentifier="wh",
        NodeType="ra3.xlplus",
        MasterUsername="admin_user",
        MasterUserPassword="Not-a-real-passw0rd",
        Encrypted=True,
        PubliclyAccessible=False,
    )
    arn = "arn:aws:redshift:us-east-1:123456789012:cluster:wh"
    full, by_id = assert_declared_and_round_trip(["redshift"])
    assert by_id[arn].attributes["logging"][0]["enable"] is False
    assert full.requests_by_operation["redshift.DescribeLoggingStatus"] == 1
    collection, denied = scan(["redshift"], deny("redshift", "DescribeLoggingStatus"))
    assert status("redshift_cluster_audit_logging_enabled", denied[arn]) == "unknown"
    assert status("redshift_cluster_encrypted", denied[arn]) == "pass"
    assert status("redshift_cluster_not_publicly_accessible", denied[arn]) == "pass"
    assert [e.operation for _, e in collection.call_errors] == ["DescribeLoggingStatus"]


def test_redshift_zero_snapshot_retention_fails() -> None:
    """AWS-shaped DescribeClusters/DescribeLoggingStatus through the real normalizer (moto
    cannot store a retention of 0)."""
    from scanner.sources.aws.collectors import redshift as redshift_collector

    cluster = {"ClusterIdentifier": "off", "Encrypted": True, "AutomatedSnapshotRetentionPeriod": 0}
    raw = RawService(
        "redshift",
        "123456789012",
        REGION,
        {"clusters": [cluster], "logging_status": {"off": {"LoggingEnabled": False}}},
    )
    (resource,) = redshift_collector.normalize(raw)
    assert status("redshift_cluster_automated_snapshots_enabled", resource) == "fail"


# -- ElastiCache --------------------------------------------------------------------------------


def test_elasticache_one_listing_per_region(clients: Any) -> None:
    arn = clients("elasticache").create_replication_group(
        ReplicationGroupId="g",
        ReplicationGroupDescription="cache",
        AtRestEncryptionEnabled=True,
        TransitEncryptionEnabled=True,
    )["ReplicationGroup"]["ARN"]
    full, by_id = assert_declared_and_round_trip(["elasticache"])
    assert full.requests_by_operation == {
        "elasticache.DescribeReplicationGroups": 1,
        "sts.GetCallerIdentity": 1,
    }
    assert by_id[arn].attributes["at_rest_encryption_enabled"] is True


# -- SageMaker ----------------------------------------------------------------------------------


def test_sagemaker_denied_describe_makes_the_notebook_checks_unknown(clients: Any) -> None:
    arn = clients("sagemaker").create_notebook_instance(
        NotebookInstanceName="nb",
        InstanceType="ml.t3.medium",
        RoleArn="arn:aws:iam::123456789012:role/notebook",
        DirectInternetAccess="Disabled",
        RootAccess="Disabled",
    )["NotebookInstanceArn"]
    full, by_id = assert_declared_and_round_trip(["sagemaker"])
    assert by_id[arn].attributes["direct_internet_access"] == "Disabled"
    assert full.requests_by_operation["sagemaker.DescribeNotebookInstance"] == 1
    _, denied = scan(["sagemaker"], deny("sagemaker", "DescribeNotebookInstance"))
    for check_id in (
        "sagemaker_notebook_instance_encrypted_with_kms",
        "sagemaker_notebook_instance_direct_internet_access_disabled",
        "sagemaker_notebook_instance_root_access_disabled",
    ):
        assert status(check_id, denied[arn]) == "unknown", check_id


# -- Classic ELB attributes ---------------------------------------------------------------------


def test_classic_elb_denied_attributes_makes_only_access_logging_unknown(clients: Any) -> None:
    clients("elb").create_load_balancer(
        LoadBalancerName="classic",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}],
        AvailabilityZones=["us-east-1a"],
    )
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/classic"
    full, by_id = assert_declared_and_round_trip(["elb"])
    assert by_id[arn].attributes["access_logs"] == [{"enabled": False}]
    assert (
        sum(
            n
            for op, n in full.requests_by_operation.items()
            if op.endswith(".DescribeLoadBalancerAttributes")
        )
        == 1
    )
    _, denied = scan(["elb"], deny("elastic-load-balancing", "DescribeLoadBalancerAttributes"))
    assert status("elb_load_balancer_access_logging_enabled", denied[arn]) == "unknown"
    assert status("elb_listener_encrypted_in_transit", denied[arn]) == "fail"  # HTTP listener


# -- CloudFront ---------------------------------------------------------------------------------


def _cloudfront_distribution(clients: Any, name: str) -> str:
    config = {
        "CallerReference": name,
        "Comment": name,
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "o.example.com",
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                           "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "o",
            "ViewerProtocolPolicy": "https-only",
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
        },
    }  # fmt: skip
    created = clients("cloudfront").create_distribution(DistributionConfig=config)
    return str(created["Distribution"]["ARN"])


def test_cloudfront_denied_config_makes_the_distribution_unknown(clients: Any) -> None:
    arns = [_cloudfront_distribution(clients, name) for name in ("one", "two")]
    full, by_id = assert_declared_and_round_trip(["cloudfront"])
    assert full.requests_by_operation["cloudfront.GetDistributionConfig"] == 2
    assert full.requests_by_operation["cloudfront.ListDistributions"] == 1
    assert by_id[arns[0]].location.region == "global"
    _, denied = scan(["cloudfront"], deny("cloudfront", "GetDistributionConfig"))
    for check_id in (
        "cloudfront_distribution_viewer_https_required",
        "cloudfront_distribution_tls_1_2_minimum",
        "cloudfront_distribution_access_logging_enabled",
        "cloudfront_distribution_origin_https_only",
    ):
        assert status(check_id, denied[arns[0]]) == "unknown", check_id


# -- API Gateway and WAF ------------------------------------------------------------------------


def _api_stage(clients: Any, name: str) -> str:
    apigateway = clients("apigateway")
    api = apigateway.create_rest_api(name=name)["id"]
    root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
    apigateway.put_method(
        restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigateway.create_deployment(restApiId=api, stageName="prod")
    return f"arn:aws:apigateway:us-east-1::/restapis/{api}/stages/prod"


def test_apigateway_one_get_stages_per_api_and_denied_stages_are_reported(clients: Any) -> None:
    stages = [_api_stage(clients, name) for name in ("one", "two")]
    clients("apigateway").create_domain_name(domainName="api.example.com")
    full, by_id = assert_declared_and_round_trip(["apigateway"])
    assert full.requests_by_operation["api-gateway.GetStages"] == 2
    assert set(stages) <= set(by_id)
    collection, denied = scan(["apigateway"], deny("api-gateway", "GetStages"))
    assert not set(stages) & set(denied)  # unseen, and the run reports why
    assert {e.operation for _, e in collection.call_errors} == {"GetStages"}


def test_wafv2_denied_lookup_makes_only_the_waf_check_unknown(clients: Any) -> None:
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in (("10.40.1.0/24", "us-east-1a"), ("10.40.2.0/24", "us-east-1b"))
    ]
    elbv2 = clients("elbv2")
    public = elbv2.create_load_balancer(Name="public", Subnets=subnets)["LoadBalancers"][0]
    elbv2.create_load_balancer(Name="private", Subnets=subnets, Scheme="internal")
    full, by_id = assert_declared_and_round_trip(["elbv2"])
    # One WAF lookup: the internet-facing ALB only.
    assert full.requests_by_operation["wafv2.GetWebACLForResource"] == 1
    arn = public["LoadBalancerArn"]
    assert by_id[arn].attributes["web_acl_arn"] is None
    _, denied = scan(["elbv2"], deny("wafv2", "GetWebACLForResource"))
    assert status("wafv2_web_acl_public_endpoint_protected", denied[arn]) == "unknown"
    assert status("elb_load_balancer_deletion_protection_enabled", denied[arn]) == "fail"


# -- AWS Backup ---------------------------------------------------------------------------------

ACCOUNT = "123456789012"
PLAN = "arn:aws:backup:us-east-1:123456789012:backup-plan:plan-1"
EFS_ARN = "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-1"


def _backup_raw(*selections: dict[str, Any], plans_error: bool = False) -> RawService:
    from scanner.sources.aws.collector import CallError

    plans: Any = [{"BackupPlanId": "plan-1", "BackupPlanArn": PLAN}]
    if plans_error:
        plans = CallError("backup", "ListBackupPlans", REGION, "AccessDenied", "no").as_marker()
    return RawService(
        "backup",
        ACCOUNT,
        REGION,
        {
            "plans": plans,
            "selection_lists": {} if plans_error else {"plan-1": [{"SelectionId": "s"}]},
            "selections": [
                {"plan_id": "plan-1", "selection_id": f"s{i}", "response": {"BackupSelection": s}}
                for i, s in enumerate(selections)
            ],
            "vaults": [],
            "vault_keys": {},
        },
    )


def _stores() -> dict[str, Resource]:
    from scanner.sources.aws.collectors import dynamodb as dynamodb_collector
    from scanner.sources.aws.collectors import efs as efs_collector
    from scanner.sources.aws.collectors import rds as rds_collector

    db_arn = "arn:aws:rds:us-east-1:123456789012:db:phi"
    rds_raw = RawService(
        "rds",
        ACCOUNT,
        REGION,
        {
            "db_instances": [
                {
                    "DBInstanceIdentifier": "phi",
                    "DBInstanceArn": db_arn,
                    "Engine": "postgres",
                    "TagList": [{"Key": "backup", "Value": "daily"}],
                }
            ],
            "db_clusters": [],
            "db_snapshots": [],
            "db_snapshot_attributes": {},
        },
    )
    efs_raw = RawService(
        "efs",
        ACCOUNT,
        REGION,
        {
            "file_systems": [
                {
                    "FileSystemId": "fs-1",
                    "FileSystemArn": EFS_ARN,
                    "Encrypted": True,
                    "Tags": [{"Key": "backup", "Value": "weekly"}],
                }
            ],
            "backup_policies": {"fs-1": None},
        },
    )
    table = {"Table": {"TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t"}}
    dynamodb_raw = RawService(
        "dynamodb",
        ACCOUNT,
        REGION,
        {"tables": ["t"], "describe_table": {"t": table}, "continuous_backups": {"t": {}}},
    )
    found = [
        *rds_collector.normalize(rds_raw),
        *efs_collector.normalize(efs_raw),
        *dynamodb_collector.normalize(dynamodb_raw),
    ]
    return {r.type: r for r in found}


def _coverage(raw: RawService) -> dict[str, str]:
    from scanner.sources.aws.collectors import backup as backup_collector

    stores = _stores()
    inventory = [*stores.values(), *backup_collector.normalize(raw)]
    spec = REGISTRY.checks["backup_data_store_in_backup_plan"]
    findings = evaluate(inventory, [spec], REGISTRY).findings
    return {f.resource.type: f.status.value for f in findings}


def test_backup_coverage_from_aws_shaped_selections() -> None:
    """The covered side moto cannot seed (see the fixture's docstring), plus the rule's edges."""
    by_tag_and_arn = {
        "SelectionName": "phi",
        "Resources": ["arn:aws:elasticfilesystem:*:*:file-system/*"],
        "ListOfTags": [
            {"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}
        ],
    }
    assert _coverage(_backup_raw(by_tag_and_arn)) == {
        "aws_db_instance": "pass",  # by tag
        "aws_efs_file_system": "pass",  # by ARN pattern
        "aws_dynamodb_table": "unknown",  # its tags are not collected: the tag may match
    }
    everything_but_efs = {
        "SelectionName": "all",
        "Resources": ["*"],
        "NotResources": ["arn:aws:elasticfilesystem:*"],
        "Conditions": {
            "StringNotEquals": [{"ConditionKey": "aws:ResourceTag/backup", "ConditionValue": "no"}]
        },
    }
    verdicts = _coverage(_backup_raw(everything_but_efs))
    assert verdicts["aws_db_instance"] == "pass"
    assert verdicts["aws_efs_file_system"] == "fail"  # excluded by NotResources
    assert verdicts["aws_dynamodb_table"] == "unknown"  # the condition needs its tags
    assert set(_coverage(_backup_raw(plans_error=True)).values()) == {"unknown"}


def test_backup_vault_key_manager_and_denied_describe_key(clients: Any) -> None:
    key = clients("kms").create_key()["KeyMetadata"]["Arn"]
    vault = clients("backup").create_backup_vault(BackupVaultName="v", EncryptionKeyArn=key)
    full, by_id = assert_declared_and_round_trip(["backup"])
    arn = vault["BackupVaultArn"]
    assert by_id[arn].attributes["kms_key_manager"] == "CUSTOMER"
    assert full.requests_by_operation["kms.DescribeKey"] == 1
    _, denied = scan(["backup"], deny("kms", "DescribeKey"))
    assert status("backup_vault_encrypted_with_customer_key", denied[arn]) == "unknown"
    region = "arn:aws:backup:us-east-1:123456789012:region-settings"
    assert denied[region].attributes["plans_listed"] is True  # the plans were still read


# -- Subnets (instances with a public IP in private subnets) -------------------------------------


def test_subnets_one_listing_and_denied_listing_makes_instances_unknown(clients: Any) -> None:
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    tags = [{"ResourceType": "subnet", "Tags": [{"Key": "Tier", "Value": "private"}]}]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", TagSpecifications=tags)
    subnet_id = subnet["Subnet"]["SubnetId"]
    interface = {"DeviceIndex": 0, "SubnetId": subnet_id, "AssociatePublicIpAddress": True}
    launched = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, NetworkInterfaces=[interface]
    )
    arn = f"arn:aws:ec2:{REGION}:123456789012:instance/{launched['Instances'][0]['InstanceId']}"
    full, by_id = assert_declared_and_round_trip(["ec2", "subnets"])
    assert full.requests_by_operation["ec2.DescribeSubnets"] == 1
    assert by_id[arn].attributes["public_ip"]
    spec = REGISTRY.checks["ec2_instance_no_public_ip_in_private_subnet"]
    findings = evaluate(list(by_id.values()), [spec], REGISTRY).findings
    # Only the seeded instance is judged: moto's default VPC has untagged subnets.
    assert {f.resource.id: f.status.value for f in findings} == {arn: "fail"}
    collection, denied = scan(["ec2", "subnets"], deny("ec2", "DescribeSubnets"))
    findings = evaluate(list(denied.values()), [spec], REGISTRY).findings
    assert {f.resource.id: f.status.value for f in findings} == {arn: "unknown"}
    assert [e.operation for _, e in collection.call_errors] == ["DescribeSubnets"]


# -- SSM (managed instances, patch compliance) ---------------------------------------------------


def test_ssm_two_listings_per_region_and_a_denied_one_leaves_the_other_judged(
    clients: Any,
) -> None:
    tags = [
        {"Key": "comply-test:ssm-agent", "Value": "Online"},
        {"Key": "comply-test:patch", "Value": "NON_COMPLIANT"},
    ]
    launched = clients("ec2").run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
    )
    arn = f"arn:aws:ec2:{REGION}:123456789012:instance/{launched['Instances'][0]['InstanceId']}"
    full, by_id = assert_declared_and_round_trip(["ec2", "ssm"])
    assert full.requests_by_operation["ssm.DescribeInstanceInformation"] == 1
    assert full.requests_by_operation["ssm.ListResourceComplianceSummaries"] == 1
    everything = list(by_id.values())

    def verdicts(resources: list[Resource]) -> dict[str, str]:
        specs = [
            REGISTRY.checks[c]
            for c in ("ec2_instance_managed_by_ssm", "ssm_instance_patch_compliant")
        ]
        findings = evaluate(resources, specs, REGISTRY).findings
        return {f.check_id: f.status.value for f in findings if f.resource.id == arn}

    assert verdicts(everything) == {
        "ec2_instance_managed_by_ssm": "pass",
        "ssm_instance_patch_compliant": "fail",
    }
    collection, denied = scan(["ec2", "ssm"], deny("ssm", "DescribeInstanceInformation"))
    assert verdicts(list(denied.values())) == {
        "ec2_instance_managed_by_ssm": "unknown",
        "ssm_instance_patch_compliant": "fail",
    }
    assert [e.operation for _, e in collection.call_errors] == ["DescribeInstanceInformation"]
    # Without the ssm collector (--service ec2) the instance is unknown, never failing.
    _, alone = scan(["ec2"])
    assert set(verdicts(list(alone.values())).values()) == {"unknown"}


# -- IAM: the root user's virtual MFA ------------------------------------------------------------


def test_virtual_mfa_seeds_are_never_kept(clients: Any) -> None:
    iam = clients("iam")
    iam.create_user(UserName="alice")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    seed = device["Base32StringSeed"]
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    full, by_id = assert_declared_and_round_trip(["iam"])
    assert full.requests_by_operation["iam.ListVirtualMFADevices"] == 1
    assert seed.decode() if isinstance(seed, bytes) else seed
    text = json.dumps([s.to_dict() for s in full.raw_services])
    assert device["SerialNumber"] in text  # the device was listed ...
    assert "Base32StringSeed" not in text and "QRCodePNG" not in text  # ... without its secrets
    assert by_id["arn:aws:iam::123456789012:root"].attributes["root_virtual_mfa"] is False


# -- DAX, Bedrock, EMR --------------------------------------------------------------------------


def test_dax_bedrock_emr_requests_and_denied_calls(clients: Any) -> None:
    dax = clients("dax").create_cluster(
        ClusterName="cache",
        NodeType="dax.t3.small",
        ReplicationFactor=1,
        IamRoleArn="arn:aws:iam::123456789012:role/dax",
        SSESpecification={"Enabled": True},
    )["Cluster"]["ClusterArn"]
    emr = clients("emr").run_job_flow(
        Name="analytics",
        ReleaseLabel="emr-6.10.0",
        Instances={
            "MasterInstanceType": "m5.xlarge",
            "InstanceCount": 1,
            "KeepJobFlowAliveWhenNoSteps": True,
        },
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
    )["ClusterArn"]
    services = ["dax", "bedrock", "emr"]
    full, by_id = assert_declared_and_round_trip(services)
    for operation in (
        "dax.DescribeClusters",
        "bedrock.GetModelInvocationLoggingConfiguration",
        "emr.GetBlockPublicAccessConfiguration",
        "emr.ListClusters",
        "emr.DescribeCluster",  # one per active cluster
    ):
        assert full.requests_by_operation[operation] == 1, operation
    assert status("dax_cluster_encrypted_at_rest", by_id[dax]) == "pass"
    assert status("emr_cluster_master_no_public_ip", by_id[emr]) == "fail"
    bedrock = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-logging"
    assert status("bedrock_model_invocation_logging_enabled", by_id[bedrock]) == "fail"

    collection, denied = scan(
        services,
        deny("emr", "DescribeCluster"),
        deny("bedrock", "GetModelInvocationLoggingConfiguration"),
    )
    assert status("emr_cluster_master_no_public_ip", denied[emr]) == "unknown"
    assert status("bedrock_model_invocation_logging_enabled", denied[bedrock]) == "unknown"
    assert status("dax_cluster_encrypted_at_rest", denied[dax]) == "pass"
    assert sorted(e.operation for _, e in collection.call_errors) == [
        "DescribeCluster",
        "GetModelInvocationLoggingConfiguration",
    ]
