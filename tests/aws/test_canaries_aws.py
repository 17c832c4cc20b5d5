"""No secret leaves a live AWS scan: canaries seeded into a moto account (tags in {Key, Value}
form, a user named like an access key, security-group text with a credential) must not appear
in the snapshot, in any report format scanned from it, or in an evidence bundle."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

from scanner.sources.aws.inventory import collect_aws
from scanner.sources.aws.snapshot import save_snapshot
from tests.conftest import run_comply

CANARIES = (
    "canary-aws-tag-token",
    "AKIACANARYUSER000001",
    "canary-aws-sg-pass",
    "canary-aws-secret-tag",
    "postgres://admin:canary-aws-url@db",
)
FORMATS = ("json", "sarif", "junit", "markdown", "github", "gitlab")


def seed(clients) -> None:
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(
        Resources=[vpc],
        Tags=[
            {"Key": "api_token", "Value": "canary-aws-tag-token"},
            {"Key": "Name", "Value": "main"},
        ],
    )
    ec2.create_security_group(
        GroupName="db",
        Description="temporary: password=canary-aws-sg-pass",
        VpcId=vpc,
    )
    clients("iam").create_user(UserName="AKIACANARYUSER000001")
    clients("secretsmanager").create_secret(
        Name="db",
        SecretString="never-read-by-comply",
        Description="rotated by postgres://admin:canary-aws-url@db",
        Tags=[{"Key": "deploy_token", "Value": "canary-aws-secret-tag"}],
    )


def test_no_canary_in_snapshot_reports_or_bundle(clients, tmp_path: Path) -> None:
    seed(clients)
    collection = collect_aws(regions=["us-east-1"], services=["ec2", "iam", "secretsmanager"])
    snapshot = tmp_path / "account.json.gz"
    save_snapshot(collection, snapshot)
    written = {"snapshot": gzip.decompress(snapshot.read_bytes())}
    assert b"AKIACANARY" not in written["snapshot"]
    assert b'"main"' in written["snapshot"]  # the snapshot kept what is not secret

    outputs = [a for fmt in FORMATS for a in ("-o", f"{fmt}={tmp_path / f'aws.{fmt}'}")]
    result = run_comply("scan", "snapshot", snapshot, "-o", "console", *outputs)
    assert result.exit_code in (0, 1), result.stderr
    written["console"] = (result.stdout + result.stderr).encode()
    written |= {fmt: (tmp_path / f"aws.{fmt}").read_bytes() for fmt in FORMATS}

    bundle = tmp_path / "bundle.zip"
    export = run_comply(
        "evidence", "export", "--framework", "soc2", tmp_path / "aws.json", "--out", bundle
    )
    assert export.exit_code == 0, export.stderr
    with zipfile.ZipFile(bundle) as archive:
        written |= {name: archive.read(name) for name in archive.namelist()}

    leaks = {
        name: [c for c in CANARIES if c.encode() in data]
        for name, data in written.items()
        if any(c.encode() in data for c in CANARIES)
    }
    assert leaks == {}
    assert b"temporary: password=<redacted>" in written["json"]  # found, and redacted
    assert b"user/<redacted>" in written["json"]
    assert b"rotated by postgres://<redacted>@db" in written["json"]
