"""Benchmark `comply drift`'s join and comparison: 10,000 managed resources against a
10,000-resource live inventory.

    .venv/bin/python bench/bench_drift.py [--count 10000]

Builds a raw state (version 4) of COUNT resources (S3 buckets with their encryption and
versioning companions, security groups with rules) and the matching live canonical resources
(every 10th drifted, as a snapshot would give them after normalization), then times reading the
state (parse, fold) and the analysis (join by canonical id, every check of each type run on both
sides, attribute comparison). Prints wall and CPU times, the peak resident memory of the process
and the load average (wall time on a loaded shared machine is not meaningful: compare CPU time).
Target (issue 18): under 2 s and 300 MB.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.core.model import Location, Resource
from scanner.core.registry import load_registry
from scanner.drift.analysis import analyse_drift
from scanner.drift.ignore import ignore_rules
from scanner.drift.join import join
from scanner.sources.terraform.state import load_terraform_state

ACCOUNT, REGION = "123456789012", "us-east-1"
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'


def _instance(attributes: dict[str, Any], index: int) -> dict[str, Any]:
    return {"index_key": index, "schema_version": 0, "attributes": attributes,
            "sensitive_attributes": []}  # fmt: skip


def _rule(port: int, cidr: str) -> dict[str, Any]:
    return {"cidr_blocks": [cidr], "description": "", "from_port": port, "to_port": port,
            "protocol": "tcp", "ipv6_cidr_blocks": [], "prefix_list_ids": [],
            "security_groups": [], "self": False}  # fmt: skip


def build(count: int) -> tuple[dict[str, Any], list[Resource]]:
    buckets, groups = count // 2, count - count // 2
    names = [f"bench-bucket-{i}" for i in range(buckets)]
    state_resources = [
        {"mode": "managed", "type": "aws_s3_bucket", "name": "b", "provider": PROVIDER,
         "instances": [_instance({"arn": f"arn:aws:s3:::{n}", "bucket": n, "id": n}, i)
                       for i, n in enumerate(names)]},
        {"mode": "managed", "type": "aws_s3_bucket_server_side_encryption_configuration",
         "name": "b", "provider": PROVIDER,
         "instances": [_instance({"bucket": n, "id": n, "rule": [{
             "apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256",
                                                          "kms_master_key_id": ""}],
             "bucket_key_enabled": False}]}, i) for i, n in enumerate(names)]},
        {"mode": "managed", "type": "aws_s3_bucket_versioning", "name": "b",
         "provider": PROVIDER,
         "instances": [_instance({"bucket": n, "id": n, "versioning_configuration": [
             {"status": "Enabled", "mfa_delete": ""}]}, i) for i, n in enumerate(names)]},
        {"mode": "managed", "type": "aws_security_group", "name": "g", "provider": PROVIDER,
         "instances": [_instance({
             "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-{i:017x}",
             "id": f"sg-{i:017x}", "name": f"g{i}", "vpc_id": "vpc-1",
             "ingress": [_rule(443, "10.0.0.0/8")], "egress": []}, i)
             for i in range(groups)]},
    ]  # fmt: skip
    location = Location(account=ACCOUNT, region=REGION)
    live = []
    for i, name in enumerate(names):
        drifted = i % 10 == 0
        live.append(
            Resource("aws_s3_bucket", f"arn:aws:s3:::{name}", "aws", location, {
                "bucket": name, "arn": f"arn:aws:s3:::{name}", "acl_grants": [],
                "server_side_encryption": None if drifted else {
                    "sse_algorithm": "AES256", "kms_master_key_id": None,
                    "bucket_key_enabled": False},
                "versioning": {"enabled": True, "mfa_delete": None},
                "logging": None, "public_access_block": None, "policy": None})
        )  # fmt: skip
    for i in range(groups):
        rules = [_rule(443, "10.0.0.0/8")] + ([_rule(22, "0.0.0.0/0")] if i % 10 == 0 else [])
        arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-{i:017x}"
        live.append(
            Resource("aws_security_group", arn, "aws", location, {
                "id": f"sg-{i:017x}", "arn": arn, "name": f"g{i}", "vpc_id": "vpc-1",
                "ingress": rules, "egress": []})
        )  # fmt: skip
    return {"version": 4, "terraform_version": "1.9.5", "serial": 1, "lineage": "bench",
            "outputs": {}, "resources": state_resources}, live  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    registry = load_registry()
    document, live = build(args.count)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "terraform.tfstate"
        path.write_text(json.dumps(document))
        cpu_start = time.process_time()
        start = time.perf_counter()
        state = load_terraform_state([path])
        read = time.perf_counter() - start
    start = time.perf_counter()
    gc.freeze()  # as `comply drift` does once state and inventory are loaded
    analysis = analyse_drift(
        state.managed,
        live,
        declared=None,
        specs=list(registry),
        collected_types={"aws_s3_bucket", "aws_security_group"},
        accounts={ACCOUNT},
        regions={REGION},
        ignore=ignore_rules(None, "defaults"),
    )
    joined = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    start = time.perf_counter()
    joined_only = join(
        state.managed,
        live,
        collected_types={"aws_s3_bucket", "aws_security_group"},
        accounts={ACCOUNT},
        regions={REGION},
    )
    join_seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(
        f"managed resources:   {len(state.managed)} "
        f"(state file {len(json.dumps(document)) // 1024} KiB)"
    )
    print(f"live resources:      {len(live)}")
    print(f"summary:             {analysis.summary}")
    print(f"read state:          {read:.2f} s")
    print(f"join + compare:      {joined:.2f} s (every check of the type run on both sides)")
    print(f"  of which the join: {join_seconds:.2f} s ({len(joined_only.pairs)} pairs)")
    print(f"total:               {read + joined:.2f} s  (target < 2 s)")
    print(f"  CPU time:          {cpu:.2f} s (what load from other processes does not inflate)")
    print(f"peak RSS:            {peak_mb:.0f} MB  (target < 300 MB)")
    print(f"load average (1 min): {load:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
