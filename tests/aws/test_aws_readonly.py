"""Read-only by construction: every operation a full scan sends is recorded through a botocore
`before-call` hook on the session, and anything but Describe/List/Get/Lookup fails the test.

Two operations are allowed explicitly: sts:GetCallerIdentity (needs no permission, names the
account) and sts:AssumeRole (`--role-arn`: enters the audit role; it changes nothing).
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from scanner.sources.aws.collectors import all_collectors
from scanner.sources.aws.inventory import collect_aws
from scanner.sources.aws.permissions import ALLOWED_NON_READ_OPERATIONS
from tests.aws.lambda_seed import create_function

READ_ONLY = re.compile(r"^(Describe|List|Get|Lookup)[A-Za-z0-9]*$")


def seed_account(clients: Any) -> None:
    """A little of everything, so that per-resource calls are made too."""
    s3 = clients("s3")
    s3.create_bucket(Bucket="readonly-bucket")
    s3.put_bucket_policy(
        Bucket="readonly-bucket",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": "arn:aws:s3:::readonly-bucket/*",
                    }
                ],
            }
        ),
    )
    ec2 = clients("ec2")
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    ec2.create_snapshot(VolumeId=volume)
    launched = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
    ec2.create_image(InstanceId=launched["Instances"][0]["InstanceId"], Name="readonly-image")
    iam = clients("iam")
    iam.create_user(UserName="reader")
    iam.create_access_key(UserName="reader")
    clients("kms").create_key()
    clients("sqs").create_queue(QueueName="readonly-queue")
    clients("sns").create_topic(Name="readonly-topic")
    clients("logs").create_log_group(logGroupName="/readonly")
    clients("secretsmanager").create_secret(Name="readonly-secret", SecretString="s3cr3t-value")
    clients("dynamodb").create_table(
        TableName="readonly-table",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    # Issue 14 services: one resource each so their per-resource calls are sent too.
    clients("efs").create_file_system(CreationToken="readonly-fs", Backup=True)
    clients("ecr").create_repository(repositoryName="readonly-repo")
    clients("opensearch").create_domain(DomainName="readonly-domain")
    backup_key = clients("kms").create_key()["KeyMetadata"]["Arn"]
    clients("backup").create_backup_vault(BackupVaultName="readonly", EncryptionKeyArn=backup_key)
    apigateway = clients("apigateway")
    api = apigateway.create_rest_api(name="readonly-api")["id"]
    root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
    apigateway.put_method(
        restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigateway.create_deployment(restApiId=api, stageName="prod")
    clients("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": "readonly",
            "Comment": "readonly",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "o.example.com"}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only"},
        }
    )
    clients("redshift").create_cluster(
        ClusterIdentifier="readonly-cluster",
        NodeType="ra3.xlplus",
        MasterUsername="admin_user",
        MasterUserPassword="Not-a-real-passw0rd",
    )
    clients("elasticache").create_replication_group(
        ReplicationGroupId="readonly-group", ReplicationGroupDescription="cache"
    )
    create_function(clients, "readonly-function")
    clients("lambda").add_permission(
        FunctionName="readonly-function",
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )
    clients("dax").create_cluster(
        ClusterName="readonly-dax",
        NodeType="dax.t3.small",
        ReplicationFactor=1,
        IamRoleArn="arn:aws:iam::123456789012:role/dax",
    )
    clients("emr").run_job_flow(
        Name="readonly-emr",
        ReleaseLabel="emr-6.10.0",
        Instances={
            "MasterInstanceType": "m5.xlarge",
            "InstanceCount": 1,
            "KeepJobFlowAliveWhenNoSteps": True,
        },
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
    )
    clients("sagemaker").create_notebook_instance(
        NotebookInstanceName="readonly-notebook",
        InstanceType="ml.t3.medium",
        RoleArn="arn:aws:iam::123456789012:role/notebook",
    )


def test_full_scan_sends_only_read_operations(clients) -> None:
    seed_account(clients)
    sent: set[tuple[str, str]] = set()
    lock = threading.Lock()

    def record(event_name: str, **_kwargs: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        with lock:
            sent.add((service, operation))

    collection = collect_aws(
        regions=["us-east-1", "eu-west-1"],
        role_arns=["arn:aws:iam::123456789012:role/ComplyAudit"],
        event_handlers=[("before-call", record)],
    )
    assert collection.accounts, [e.to_dict() for e in collection.setup_errors]
    operations = {operation for _, operation in sent}
    # The hook saw the whole scan: STS, region-wide listings and per-resource reads.
    assert {"AssumeRole", "GetCallerIdentity", "ListBuckets", "GetBucketPolicy"} <= operations
    assert {"DescribeSecurityGroups", "GetAccountAuthorizationDetails"} <= operations
    assert {"ListFunctions", "GetPolicy", "GetFunctionUrlConfig"} <= operations
    assert {"DescribeSnapshotAttribute", "DescribeImages", "DescribeNetworkAcls"} <= operations
    assert {"DescribeSubnets", "DescribeInstanceInformation", "DescribeCluster"} <= operations
    assert {c.name for c in all_collectors()} >= {"s3", "ec2", "iam"}
    writes = sorted(
        f"{service}:{operation}"
        for service, operation in sent
        if not READ_ONLY.match(operation) and operation not in ALLOWED_NON_READ_OPERATIONS
    )
    assert not writes, f"a scan sent non-read operations: {writes}"
    sts_only = {o for s, o in sent if o in ALLOWED_NON_READ_OPERATIONS and s != "sts"}
    assert not sts_only
