"""`comply drift` against a real moto server seeded from a hand-written state: matched, drifted
(encryption removed, versioning suspended, an SSH rule added), unmanaged and deleted resources;
then the same from a snapshot, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner.cli.main import cli

STATES = Path(__file__).resolve().parents[1] / "fixtures" / "drift_states"
CANARY = "CANARY-db-password-9f8e7d"
DRIFT_CHECKS = {
    "drift_resource_matches_configuration",
    "drift_resource_verdicts_match_configuration",
    "drift_resource_managed_by_terraform",
    "drift_managed_resource_present_live",
}
ARCHIVE = 'module.store["eu"].aws_s3_bucket.archive'


def _seed(clients: Any, tmp_path: Path) -> Path:
    s3, ec2 = clients("s3"), clients("ec2")
    for name in ("drift-phi", "drift-logs", "drift-match", "drift-archive-0", "drift-archive-1"):
        s3.create_bucket(Bucket=name)
    aes = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    # drift-phi: the state declares aws:kms; the live bucket's encryption was removed.
    for name in ("drift-logs", "drift-match"):
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration=aes)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket="drift-logs", VersioningConfiguration={"Status": "Suspended"})
    s3.create_bucket(Bucket="clickops-uploads")  # unmanaged
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    groups = {}
    for key, name, port, cidr, description in (
        ("SG_WEB", "drift-web", 443, "10.0.0.0/8", "https"),
        ("SG_DB", "drift-db", 5432, "10.0.0.0/16", "postgres"),
    ):
        group = ec2.create_security_group(
            GroupName=name, Description="Managed by Terraform", VpcId=vpc["VpcId"]
        )["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": port,
                    "ToPort": port,
                    "IpRanges": [{"CidrIp": cidr, "Description": description}],
                }
            ],
        )
        groups[key] = group
    # drift-web: an SSH rule open to the internet, added by hand.
    ec2.authorize_security_group_ingress(
        GroupId=groups["SG_WEB"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    clickops = ec2.create_security_group(
        GroupName="clickops-sg", Description="by hand", VpcId=vpc["VpcId"]
    )["GroupId"]
    text = (STATES / "moto.tfstate.tmpl").read_text()
    for key, group in groups.items():
        text = text.replace(f"__{key}__", group)
    text = text.replace("__VPC__", vpc["VpcId"])
    state = tmp_path / "terraform.tfstate"
    state.write_text(text)
    (tmp_path / "clickops").write_text(clickops)
    return state


def _run(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli, ["drift", *args, "-o", f"json={out}", "-o", "console"], catch_exceptions=False
    )
    return result.exit_code, json.loads(out.read_text())


def _sets(report: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    sets: dict[tuple[str, str], set[str]] = {}
    for finding in report["findings"]:
        if finding["check_id"] in DRIFT_CHECKS:
            key = (finding["check_id"], finding["status"])
            sets.setdefault(key, set()).add(finding["resource"]["id"])
    return sets


def _expected(clickops_sg: str) -> dict[tuple[str, str], set[str]]:
    matched = {
        "aws_s3_bucket.match",
        f"{ARCHIVE}[0]",
        f"{ARCHIVE}[1]",
        'aws_security_group.db["primary"]',
    }
    drifted = {"aws_s3_bucket.phi", "aws_s3_bucket.logs", "aws_security_group.web"}
    unmanaged = {
        "unmanaged:arn:aws:s3:::clickops-uploads",
        f"unmanaged:arn:aws:ec2:us-east-1:123456789012:security-group/{clickops_sg}",
    }
    return {
        ("drift_resource_matches_configuration", "pass"): matched,
        ("drift_resource_matches_configuration", "fail"): drifted,
        # versioning suspended changes the versioning check; the others break encryption/SSH.
        ("drift_resource_verdicts_match_configuration", "pass"): matched,
        ("drift_resource_verdicts_match_configuration", "fail"): drifted,
        ("drift_resource_managed_by_terraform", "pass"): matched | drifted,
        ("drift_resource_managed_by_terraform", "fail"): unmanaged,
        ("drift_managed_resource_present_live", "pass"): matched | drifted,
        ("drift_managed_resource_present_live", "fail"): {"aws_db_instance.main"},
    }


def test_drift_live_and_from_snapshot(clients: Any, tmp_path: Path) -> None:
    state = _seed(clients, tmp_path)
    clickops_sg = (tmp_path / "clickops").read_text()
    code, report = _run(
        tmp_path, "--state", str(state), "--region", "us-east-1",
        "--service", "s3", "--service", "ec2", "--service", "rds",
    )  # fmt: skip
    assert code == 1
    assert _sets(report) == _expected(clickops_sg)
    by_key = {(f["check_id"], f["resource"]["id"]): f for f in report["findings"]}
    phi = by_key[("drift_resource_verdicts_match_configuration", "aws_s3_bucket.phi")]
    assert phi["severity"] == "critical"
    assert "s3_bucket_encrypted_at_rest" in phi["message"]
    logs = by_key[("drift_resource_matches_configuration", "aws_s3_bucket.logs")]
    assert "versioning" in logs["message"]
    web = by_key[("drift_resource_verdicts_match_configuration", "aws_security_group.web")]
    assert "ssh" in web["message"]
    for finding in report["findings"]:
        if finding["check_id"] in DRIFT_CHECKS:
            controls = {(c["framework"], c["id"]) for c in finding["controls"]}
            assert {("soc2", "CC8.1"), ("hipaa", "164.312(c)(1)")} <= controls
    # the unmanaged bucket has its own check results
    assert ("s3_bucket_encrypted_at_rest", "arn:aws:s3:::clickops-uploads") in by_key
    # the default VPC and its default security group are AWS-created: not unmanaged
    assert not any("unmanaged:" in r and ":vpc/" in r for (_, r) in by_key)
    summary = report["context"]["drift"]
    assert (summary["managed"], summary["joined"], summary["drifted"]) == (8, 7, 3)
    assert (summary["deleted"], summary["unmanaged"], summary["drift_changes_a_verdict"]) == (
        1,
        2,
        3,
    )
    assert summary["ignored"]  # the default VPC and default security groups
    assert CANARY not in json.dumps(report)

    snapshot = tmp_path / "snap.json.gz"
    result = CliRunner().invoke(
        cli,
        ["scan", "aws", "--region", "us-east-1", "--service", "s3", "--service", "ec2",
         "--service", "rds", "--save-snapshot", str(snapshot), "-o", f"json={tmp_path / 'x.json'}"],
        catch_exceptions=False,
    )  # fmt: skip
    assert snapshot.is_file(), result.output
    code, offline = _run(tmp_path, "--state", str(state), "--snapshot", str(snapshot))
    assert code == 1
    assert _sets(offline) == _sets(report)
    live_messages = sorted(
        (f["check_id"], f["resource"]["id"], f["status"], f["message"]) for f in report["findings"]
    )
    offline_messages = sorted(
        (f["check_id"], f["resource"]["id"], f["status"], f["message"]) for f in offline["findings"]
    )
    assert offline_messages == live_messages


@pytest.mark.parametrize("where", ["file", "s3"])
def test_state_secrets_reach_no_output_format(clients: Any, tmp_path: Path, where: str) -> None:
    state: Path | str = _seed(clients, tmp_path)
    if where == "s3":
        state = _put_state(clients, Path(state))
    outputs = []
    for fmt in ("json", "sarif", "junit", "markdown", "github", "gitlab"):
        outputs += ["-o", f"{fmt}={tmp_path / ('out.' + fmt)}"]
    result = CliRunner().invoke(
        cli,
        ["drift", "--state", str(state), "--region", "us-east-1", "--service", "s3",
         "--service", "rds", *outputs],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert CANARY not in result.output
    for fmt in ("json", "sarif", "junit", "markdown", "github", "gitlab"):
        assert CANARY not in (tmp_path / ("out." + fmt)).read_text()


def _put_state(
    clients: Any, state: Path, bucket: str = "acme-tfstate", key: str = "prod/terraform.tfstate"
) -> str:
    s3 = clients("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=state.read_bytes())
    return f"s3://{bucket}/{key}"


def test_state_read_from_s3_gives_the_same_findings(clients: Any, tmp_path: Path) -> None:
    state = _seed(clients, tmp_path)
    url = _put_state(clients, state)
    live = ["--region", "us-east-1", "--service", "s3", "--service", "ec2", "--service", "rds"]
    code, from_file = _run(tmp_path, "--state", str(state), *live)
    assert code == 1
    code, from_s3 = _run(tmp_path, "--state", url, *live)
    assert code == 1
    assert _sets(from_s3) == _sets(from_file)
    # The state bucket is live and in no state: unmanaged, like any bucket made by hand.
    unmanaged = _sets(from_s3)[("drift_resource_managed_by_terraform", "fail")]
    assert "unmanaged:arn:aws:s3:::acme-tfstate" in unmanaged
    assert [s["file"] for s in from_s3["context"]["drift"]["states"]] == [url]
    assert url in from_s3["scan"]["targets"]

    def messages(report: dict[str, Any]) -> list[tuple[str, str, str]]:
        name = report["context"]["drift"]["states"][0]["file"]  # "managed by <state>"
        return sorted(
            (f["check_id"], f["resource"]["id"], f["message"].replace(name, "STATE"))
            for f in report["findings"]
        )

    assert messages(from_s3) == messages(from_file)

    # The nightly job: the state from S3, the live side from the night's snapshot.
    snapshot = tmp_path / "snap.json.gz"
    CliRunner().invoke(
        cli,
        ["scan", "aws", *live, "--save-snapshot", str(snapshot),
         "-o", f"json={tmp_path / 'scan.json'}"],
        catch_exceptions=False,
    )  # fmt: skip
    code, offline = _run(tmp_path, "--state", url, "--snapshot", str(snapshot))
    assert code == 1
    assert _sets(offline) == _sets(from_s3)
    still_live_only = CliRunner().invoke(
        cli, ["drift", "--state", url, "--snapshot", str(snapshot), "--region", "us-east-1"]
    )
    assert still_live_only.exit_code == 2
    assert "--region" in still_live_only.output


def test_s3_state_errors_name_the_url(clients: Any, tmp_path: Path) -> None:
    s3 = clients("s3")
    s3.create_bucket(Bucket="acme-tfstate")
    s3.put_object(Bucket="acme-tfstate", Key="corrupt.tfstate", Body=b"{not json")
    s3.create_bucket(Bucket="locked-tfstate")
    s3.put_object(Bucket="locked-tfstate", Key="prod.tfstate", Body=b"{}")
    s3.put_bucket_policy(
        Bucket="locked-tfstate",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::locked-tfstate/*",
                    }
                ],
            }
        ),
    )
    for url, needle in (
        ("s3://acme-tfstate/missing.tfstate", "no such object"),
        ("s3://no-such-bucket/terraform.tfstate", "no such bucket"),
        ("s3://locked-tfstate/prod.tfstate", "access denied"),
        ("s3://acme-tfstate/corrupt.tfstate", "invalid JSON"),
        ("s3://acme-tfstate", "s3://BUCKET/KEY"),
    ):
        result = CliRunner().invoke(
            cli,
            ["drift", "--state", url, "--region", "us-east-1", "--service", "s3"],
            catch_exceptions=False,
        )
        assert result.exit_code == 2, (url, result.output)
        assert url in result.output and needle in result.output, result.output
        assert "nothing compared" in result.output
    denied = CliRunner().invoke(
        cli, ["drift", "--state", "s3://locked-tfstate/prod.tfstate", "--service", "s3"]
    )
    assert "comply aws permissions --drift locked-tfstate/prod.tfstate" in denied.output


def test_bad_state_is_an_error_naming_the_file(clients: Any, tmp_path: Path) -> None:
    for name, needle in (("v3.tfstate", "version 3"), ("corrupt.tfstate", "invalid JSON")):
        result = CliRunner().invoke(
            cli,
            ["drift", "--state", str(STATES / name), "--region", "us-east-1", "--service", "s3"],
            catch_exceptions=False,
        )
        assert result.exit_code == 2
        assert name in result.output and needle in result.output


def test_permissions_for_drift_add_only_reading_the_state() -> None:
    result = CliRunner().invoke(
        cli,
        ["aws", "permissions", "--service", "s3", "--drift", "acme-tfstate/prod/terraform.tfstate"],
    )
    assert result.exit_code == 0, result.output
    statements = json.loads(result.output)["Statement"]
    drift = [s for s in statements if s["Sid"].startswith("ComplyDrift")]
    assert [(s["Action"], s["Resource"]) for s in drift] == [
        (["s3:GetObject"], ["arn:aws:s3:::acme-tfstate/prod/terraform.tfstate"]),
        (["kms:Decrypt"], "*"),
    ]
    assert drift[1]["Condition"] == {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}
    several = CliRunner().invoke(
        cli,
        ["aws", "permissions", "--service", "s3", "--drift", "s3://acme-tfstate/prod.tfstate",
         "--drift", "net-state"],
    )  # fmt: skip
    reads = json.loads(several.output)["Statement"]
    assert next(s for s in reads if s["Sid"] == "ComplyDriftReadsTerraformState")["Resource"] == [
        "arn:aws:s3:::acme-tfstate/prod.tfstate",
        "arn:aws:s3:::net-state/*",
    ]
    bad = CliRunner().invoke(cli, ["aws", "permissions", "--drift", "*"])
    assert bad.exit_code == 2
