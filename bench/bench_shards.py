"""Sharded live scans: wall time of `comply scan aws --shard I/N` with N processes at once,
against one moto server on loopback, storing into one SQLite history store. Prints numbers.

    .venv/bin/python bench/bench_shards.py [--max-shards N] [--regions 8]

Scaling is bounded by the core count: the moto server shares the cores with the shards, and
each shard also pays Python start-up, region discovery and policy loading once.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

logging.getLogger("werkzeug").setLevel(logging.ERROR)

ROOT = Path(__file__).resolve().parent.parent
REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "eu-west-1", "eu-west-2", "eu-central-1", "ap-southeast-1",
]  # fmt: skip
SERVICES = ["ec2", "sqs", "logs", "kms"]


def seed(regions: list[str], per_region: int) -> None:
    for region in regions:
        ec2 = boto3.client("ec2", region_name=region)
        sqs = boto3.client("sqs", region_name=region)
        logs = boto3.client("logs", region_name=region)
        kms = boto3.client("kms", region_name=region)
        for n in range(per_region):
            ec2.create_volume(AvailabilityZone=f"{region}a", Size=1)
            sqs.create_queue(QueueName=f"q{n}")
            logs.create_log_group(logGroupName=f"/app/{n}")
            if n % 4 == 0:
                kms.create_key()


def run(shards: int, regions: list[str], store: str) -> float:
    args = ["-o", "json=/dev/null", "--store", store, "--run-id", f"bench-{shards}"]
    for region in regions:
        args += ["--region", region]
    for service in SERVICES:
        args += ["--service", service]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    began = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "scanner", "scan", "aws", "--shard", f"{i}/{shards}", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(shards)
    ]
    for process in processes:
        _, stderr = process.communicate()
        if process.returncode not in (0, 1):
            raise SystemExit(f"shard failed: {stderr.decode()[-500:]}")
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-shards", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--regions", type=int, default=8)
    parser.add_argument("--per-region", type=int, default=20)
    args = parser.parse_args()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )
    regions = REGIONS[: args.regions]
    try:
        seed(regions, args.per_region)
        load = os.getloadavg()[0]
        print(
            f"{len(regions)} regions x {len(SERVICES)} services, {args.per_region} resources "
            f"per service and region; load average {load:.1f} on {os.cpu_count()} cores"
        )
        with tempfile.TemporaryDirectory() as folder:
            store = str(Path(folder) / "history.db")
            base = None
            for shards in range(1, args.max_shards + 1):
                wall = run(shards, regions, store)
                base = base or wall
                print(f"N={shards}: {wall:6.2f} s  speed-up x{base / wall:4.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
