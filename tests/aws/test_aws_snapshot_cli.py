"""`comply scan aws`, `comply scan snapshot` and `comply aws permissions`, in process (the moto
server lives in this process), through click exactly as the console script runs them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

import scanner.sources.aws as aws_package
from scanner.cli.aws_commands import aws_group, scan_aws, scan_snapshot
from scanner.core.redaction import REDACTED, redact
from scanner.sources.aws.collector import RawService
from scanner.sources.aws.collectors import all_collectors
from scanner.sources.aws.inventory import collect_aws
from scanner.sources.aws.permissions import READ_ONLY_ACTION
from scanner.sources.aws.snapshot import load_snapshot, save_snapshot

from .test_aws_readonly import seed_account


@click.group()
def root() -> None:
    """A stand-in for scanner.cli.main's group, with the commands registered the same way."""


@root.group()
def scan() -> None: ...


scan.add_command(scan_aws)
scan.add_command(scan_snapshot)
root.add_command(aws_group)


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(root, list(args), catch_exceptions=False)


def _comparable(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (f["check_id"], f["resource"]["id"], f["status"], f["message"], f["fingerprint"])
        for f in report["findings"]
    )


def test_snapshot_gives_the_live_findings(clients, tmp_path: Path) -> None:
    seed_account(clients)
    snapshot, live, offline = tmp_path / "snap.json.gz", tmp_path / "live.json", tmp_path / "s.json"
    result = _invoke(
        "scan",
        "aws",
        "--region",
        "us-east-1",
        "--save-snapshot",
        str(snapshot),
        "-o",
        f"json={live}",
    )
    assert result.exit_code in (0, 1), result.output
    live_report = json.loads(live.read_text())
    assert live_report["scan"]["source"] == "aws"
    assert len(live_report["findings"]) > 20

    result = _invoke("scan", "snapshot", str(snapshot), "-o", f"json={offline}")
    assert result.exit_code in (0, 1), result.output
    offline_report = json.loads(offline.read_text())
    assert offline_report["scan"]["source"] == "snapshot"
    assert _comparable(offline_report) == _comparable(live_report)
    assert offline_report["errors"] == live_report["errors"]

    document = json.loads(gzip.decompress(snapshot.read_bytes()))
    assert document["snapshot_version"] == 1
    assert document["caller_identity"][0]["account"] == "123456789012"
    assert document["regions"] == ["us-east-1"]
    # Neither an account nor a snapshot is a file of the repository the command runs in: the
    # working directory's git commit must not be recorded as what was scanned.
    assert "repository" not in live_report["context"]
    assert "repository" not in offline_report["context"]
    assert b"s3cr3t-value" not in gzip.decompress(snapshot.read_bytes())


def test_regions_setting_of_the_config_file_limits_a_live_scan(clients, tmp_path: Path) -> None:
    config = tmp_path / ".comply.yaml"
    config.write_text("regions: [us-west-2]\n")
    report = tmp_path / "r.json"
    args = ["scan", "aws", "--service", "ec2", "--config", str(config), "-o", f"json={report}"]
    result = _invoke(*args)
    assert result.exit_code in (0, 1), result.output
    assert json.loads(report.read_text())["scan"]["targets"] == ["123456789012/us-west-2"]
    # The command line still wins over the file.
    result = _invoke(*args, "--region", "eu-west-1")
    assert result.exit_code in (0, 1), result.output
    assert json.loads(report.read_text())["scan"]["targets"] == ["123456789012/eu-west-1"]


def test_collection_errors_reach_the_report_and_exit_2(
    clients, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clients("s3").create_bucket(Bucket="denied-bucket")

    def deny(**_kwargs: Any) -> None:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetBucketAcl")

    real = aws_package.collect_aws
    monkeypatch.setattr(
        aws_package,
        "collect_aws",
        lambda **kw: real(**kw, event_handlers=[("before-call.s3.GetBucketAcl", deny)]),
    )
    out = tmp_path / "r.json"
    result = _invoke("scan", "aws", "--region", "us-east-1", "--service", "s3", "-o", f"json={out}")
    assert result.exit_code == 2
    report = json.loads(out.read_text())
    assert {"target": "s3:GetBucketAcl us-east-1", "message": "AccessDenied: no"} in report[
        "errors"
    ]
    acl = [
        f
        for f in report["findings"]
        if f["check_id"] == "s3_bucket_acl_not_public"
        and f["resource"]["id"] == "arn:aws:s3:::denied-bucket"
    ]
    assert [f["status"] for f in acl] == ["unknown"]


def test_snapshot_redacts_secrets_and_is_deterministic(clients, tmp_path: Path) -> None:
    collection = collect_aws(regions=["us-east-1"], services=["iam"])
    collection.raw_services.append(
        RawService(
            "lambda",
            "123456789012",
            "us-east-1",
            {
                "functions": [
                    {
                        "FunctionName": "api",
                        "Environment": {"Variables": {"DB_URL": "pg://u:pw@h"}},
                        "ClientSecret": "abc123",
                        "MinimumPasswordLength": 14,
                        "MetadataOptions": {"HttpTokens": "required"},
                    }
                ]
            },
        )
    )
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    save_snapshot(collection, first)
    save_snapshot(collection, second)
    assert first.read_bytes() == second.read_bytes()
    text = gzip.decompress(first.read_bytes()).decode()
    assert "pg://u:pw@h" not in text and "abc123" not in text
    function = next(s for s in load_snapshot(first).raw_services if s.service == "lambda")
    entry = function.data["functions"][0]
    assert entry["Environment"]["Variables"]["DB_URL"] == REDACTED
    assert entry["MinimumPasswordLength"] == 14
    assert entry["MetadataOptions"]["HttpTokens"] == "required"


def test_redact_keeps_settings_that_merely_mention_secrets() -> None:
    data = {
        "PasswordPolicy": {"MinimumPasswordLength": 14, "RequireSymbols": True},
        "PasswordLastUsed": "2024-01-01T00:00:00+00:00",
        "SecretArn": "arn:aws:secretsmanager:us-east-1:1:secret:x",
        "api_token": "tok-123",
        "containerDefinitions": [{"environment": [{"name": "A", "value": "b"}]}],
    }
    out = redact(data)
    assert out["PasswordPolicy"] == data["PasswordPolicy"]
    assert out["PasswordLastUsed"] == data["PasswordLastUsed"]
    assert out["SecretArn"] == data["SecretArn"]
    assert out["api_token"] == REDACTED
    assert out["containerDefinitions"][0]["environment"][0]["value"] == REDACTED


def test_unreadable_snapshot_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress(json.dumps({"snapshot_version": 99}).encode()))
    result = CliRunner().invoke(root, ["scan", "snapshot", str(bad)])
    assert result.exit_code == 2
    assert "snapshot_version 99 is not supported" in result.output


def test_permissions_policy_covers_every_collector_read_only() -> None:
    result = _invoke("aws", "permissions")
    assert result.exit_code == 0
    policy = json.loads(result.output)
    assert policy["Version"] == "2012-10-17"
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    actions = set(statement["Action"])
    for collector in all_collectors():
        assert set(collector.actions) <= actions, collector.name
    assert "ec2:DescribeRegions" in actions
    assert all(READ_ONLY_ACTION.match(a) for a in actions), sorted(actions)


def test_multi_account_scan_via_assume_role(clients) -> None:
    roles = [
        "arn:aws:iam::111111111111:role/ComplyAudit",
        "arn:aws:iam::222222222222:role/ComplyAudit",
    ]
    collection = collect_aws(regions=["us-east-1"], services=["iam"], role_arns=roles)
    assert [a.account for a in collection.accounts] == ["111111111111", "222222222222"]
    assert [a.role_arn for a in collection.accounts] == roles
    assert sorted({s.account for s in collection.raw_services}) == ["111111111111", "222222222222"]


def test_console_folds_region_level_findings_of_a_live_scan(clients, tmp_path: Path) -> None:
    """Empty regions each lack a GuardDuty detector: one line naming them, not one per region."""
    regions = ["eu-west-1", "us-east-1", "us-west-2"]
    args = ["scan", "aws", "--service", "guardduty", "-o", "console"]
    for region in regions:
        args += ["--region", region]
    result = _invoke(*args)
    assert result.exit_code in (0, 1), result.output
    assert result.output.count("no GuardDuty detector in <region>") == 1
    assert "in 3 regions of account 123456789012: " + ", ".join(regions) in result.output
    assert "detector/(none)" not in result.output  # no per-region resource lines
