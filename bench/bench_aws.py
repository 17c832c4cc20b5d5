"""Benchmark a live AWS scan against a local moto server: requests, wall time, concurrency.

    .venv/bin/python bench/bench_aws.py [--workers 16] [--latency-ms 50] [--scale 1]

Seeds ~300 resources across the collected services (scale multiplies them), then times a full
scan of one region (us-east-1, like prowler's `-f us-east-1`) twice: as fast as moto answers,
and with an artificial per-request latency (a botocore `before-send` hook that sleeps), which is
what a real account's API round trips look like. It prints the request count, wall times and
the ratio wall / (requests x latency / pool size): 1.0 would be a perfectly packed pool.

moto runs in a child process so that its request handling does not compete with the scanner's
threads for this interpreter's GIL.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wildcard_loopback() -> None:
    """`<account>.127.0.0.1` (s3control's host) resolves to loopback, as wildcard DNS would."""
    original = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".127.0.0.1"):
            host = "127.0.0.1"
        return original(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


ROOT = Path(__file__).resolve().parents[1]
# moto with the two SSM reads it lacks (tests/aws/moto_ssm.py): without them every scan would
# spend retries on a 500 and count a collection error that a real account does not produce.
_MOTO_WITH_SSM_READS = (
    "import sys; sys.path.insert(0, sys.argv[1]);"
    "from tests.aws.moto_ssm import install; install();"
    "from moto.server import main; main(['-H', '127.0.0.1', '-p', sys.argv[2]])"
)


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", _MOTO_WITH_SSM_READS, str(ROOT), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).read()
            return process, endpoint
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("moto server did not start")


def seed(scale: int) -> Counter[str]:
    import boto3

    session = boto3.Session()
    s3, ec2, iam = session.client("s3"), session.client("ec2"), session.client("iam")
    kms, sqs, sns = session.client("kms"), session.client("sqs"), session.client("sns")
    logs, ddb = session.client("logs"), session.client("dynamodb")
    made: Counter[str] = Counter()
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
    }
    for i in range(60 * scale):
        name = f"bench-bucket-{i:04d}"
        s3.create_bucket(Bucket=name)
        if i % 2:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        made["s3 bucket"] += 1
    for i in range(10 * scale):
        vpc = ec2.create_vpc(CidrBlock=f"10.{i % 250}.0.0/16")["Vpc"]["VpcId"]
        made["vpc"] += 1
        for j in range(4):
            ec2.create_security_group(GroupName=f"sg-{i}-{j}", Description="bench", VpcId=vpc)
            made["security group"] += 1
    for _ in range(60 * scale):
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)
        made["ebs volume"] += 1
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=20 * scale, MaxCount=20 * scale)
    made["instance"] += 20 * scale
    for i in range(30 * scale):
        iam.create_user(UserName=f"bench-user-{i}")
        iam.create_access_key(UserName=f"bench-user-{i}")
        iam.create_policy(PolicyName=f"bench-policy-{i}", PolicyDocument=json.dumps(policy))
        made["iam user"] += 1
        made["iam policy"] += 1
    for i in range(10 * scale):
        kms.create_key(Description=f"bench-{i}")
        sqs.create_queue(QueueName=f"bench-queue-{i}")
        sns.create_topic(Name=f"bench-topic-{i}")
        logs.create_log_group(logGroupName=f"/bench/{i}")
        ddb.create_table(
            TableName=f"bench-table-{i}",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for kind in ("kms key", "sqs queue", "sns topic", "log group", "dynamodb table"):
            made[kind] += 1
    seed_data_stores_and_edge(session, scale, made)
    seed_functions_images_and_acls(session, scale, made)
    return made


def seed_data_stores_and_edge(session: Any, scale: int, made: Counter[str]) -> None:
    """Issue 14's services: 5-10 of each, so their per-resource calls are counted."""
    client = session.client
    efs, ecr, backup = client("efs"), client("ecr"), client("backup")
    for i in range(10 * scale):
        efs.create_file_system(CreationToken=f"bench-fs-{i}", Encrypted=bool(i % 2))
        ecr.create_repository(repositoryName=f"bench-repo-{i}")
        made["efs file system"] += 1
        made["ecr repository"] += 1
    key = client("kms").create_key()["KeyMetadata"]["Arn"]
    for i in range(5 * scale):
        client("opensearch").create_domain(DomainName=f"bench-domain-{i}")
        client("redshift").create_cluster(
            ClusterIdentifier=f"bench-cluster-{i}",
            NodeType="ra3.xlplus",
            MasterUsername="bench_user",
            MasterUserPassword="Not-a-real-passw0rd",
        )
        client("elasticache").create_replication_group(
            ReplicationGroupId=f"bench-group-{i}", ReplicationGroupDescription="bench"
        )
        client("sagemaker").create_notebook_instance(
            NotebookInstanceName=f"bench-notebook-{i}",
            InstanceType="ml.t3.medium",
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/bench",
        )
        backup.create_backup_vault(BackupVaultName=f"bench-vault-{i}", EncryptionKeyArn=key)
        client("elb").create_load_balancer(
            LoadBalancerName=f"bench-classic-{i}",
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}],
            AvailabilityZones=["us-east-1a"],
        )
        for kind in ("opensearch domain", "redshift cluster", "elasticache group", "notebook"):
            made[kind] += 1
        made["backup vault"] += 1
        made["classic elb"] += 1
        client("dax").create_cluster(
            ClusterName=f"bench-dax-{i}",
            NodeType="dax.t3.small",
            ReplicationFactor=1,
            IamRoleArn=f"arn:aws:iam::{ACCOUNT}:role/bench",
        )
        client("emr").run_job_flow(
            Name=f"bench-emr-{i}",
            ReleaseLabel="emr-6.10.0",
            Instances={
                "MasterInstanceType": "m5.xlarge",
                "InstanceCount": 1,
                "KeepJobFlowAliveWhenNoSteps": True,
            },
            JobFlowRole="EMR_EC2_DefaultRole",
            ServiceRole="EMR_DefaultRole",
        )
        made["dax cluster"] += 1
        made["emr cluster"] += 1


def seed_functions_images_and_acls(session: Any, scale: int, made: Counter[str]) -> None:
    """Lambda functions (half with a resource policy), EBS snapshots (half encrypted: those
    cost no attribute call), AMIs and network ACLs, so their per-resource calls are counted."""
    from tests.aws.lambda_seed import create_function

    def clients(service: str, _region: str | None = None) -> Any:
        return session.client(service)

    ec2, lam = session.client("ec2"), session.client("lambda")
    for i in range(10 * scale):
        create_function(clients, f"bench-function-{i}", Environment={"Variables": {"A": "b"}})
        if i % 2:
            lam.add_permission(
                FunctionName=f"bench-function-{i}",
                StatementId="s3",
                Action="lambda:InvokeFunction",
                Principal="s3.amazonaws.com",
            )
        volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=bool(i % 2))
        ec2.create_snapshot(VolumeId=volume["VolumeId"])
        made["lambda function"] += 1
        made["ebs volume"] += 1
        made["ebs snapshot"] += 1
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
    made["instance"] += 1
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    for i in range(5 * scale):
        ec2.create_image(InstanceId=instance["Instances"][0]["InstanceId"], Name=f"bench-ami-{i}")
        ec2.create_network_acl(VpcId=vpc)
        made["ami"] += 1
        made["network acl"] += 1


def scan(workers: int, latency: float) -> dict[str, Any]:
    from scanner.sources.aws.inventory import collect_aws, normalize_collection

    handlers = []
    if latency > 0:

        def delay(**_kwargs: Any) -> None:
            time.sleep(latency)

        handlers.append(("before-send", delay))
    started = time.perf_counter()
    collection = collect_aws(regions=[REGION], max_workers=workers, event_handlers=handlers)
    collected = time.perf_counter() - started
    resources = normalize_collection(collection.raw_services)
    return {
        "wall": time.perf_counter() - started,
        "collect": collected,
        "requests": collection.requests,
        "resources": len(resources),
        "errors": len(collection.scan_errors()),
        "by_operation": collection.requests_by_operation,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--by-operation", action="store_true", help="print requests per call")
    args = parser.parse_args()

    process, endpoint = start_moto()
    _wildcard_loopback()
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    try:
        made = seed(args.scale)
        print(
            f"seeded {sum(made.values())} resources: "
            + ", ".join(f"{n} {k}" for k, n in sorted(made.items()))
        )
        scan(args.workers, 0.0)  # warm-up: botocore loads its service models once per process
        fast = scan(args.workers, 0.0)
        latency = args.latency_ms / 1000
        slow = scan(args.workers, latency)
    finally:
        process.terminate()
        process.wait(timeout=10)

    print(f"pool size: {args.workers} workers (regions x services) + {args.workers} (per resource)")
    for label, run in (("no added latency", fast), (f"{args.latency_ms:.0f} ms/request", slow)):
        print(
            f"{label:>18}: {run['requests']} requests, {run['resources']} resources, "
            f"{run['errors']} collection errors, wall {run['wall']:.2f} s"
        )
    ideal = slow["requests"] * latency / args.workers
    print(f"ideal with latency (requests x latency / pool): {ideal:.2f} s")
    print(f"ratio wall / ideal: {slow['wall'] / ideal:.2f}  (target <= 3)")
    print(f"sequential would take: {slow['requests'] * latency:.1f} s")
    if args.by_operation:
        for operation, count in sorted(fast["by_operation"].items(), key=lambda kv: -kv[1]):
            print(f"  {count:5d}  {operation}")


if __name__ == "__main__":
    main()
