"""`--organization` against moto's Organizations and STS: every active account is listed and
scanned through the role; outside an organization it is a setup error; assumed-role
credentials are refreshed before they expire; `aws permissions --organization`."""

from __future__ import annotations

import json

import boto3
import pytest
from click.testing import CliRunner

from scanner.cli.aws_commands import aws_group
from scanner.sources.aws.inventory import collect_aws
from scanner.sources.aws.session import ClientSettings, assume_role


def _organization(clients) -> list[str]:
    organizations = clients("organizations")
    organizations.create_organization(FeatureSet="ALL")
    created = []
    for name in ("claims", "portal"):
        status = organizations.create_account(Email=f"{name}@example.test", AccountName=name)
        created.append(status["CreateAccountStatus"]["AccountId"])
    accounts = organizations.list_accounts()["Accounts"]
    return sorted(str(a["Id"]) for a in accounts)


def test_every_active_account_is_scanned_through_the_role(clients):
    accounts = _organization(clients)
    assert len(accounts) == 3  # the management account and two members
    collection = collect_aws(
        regions=["us-east-1"], services=["iam"], organization_role="ComplyAudit", deadline=None
    )
    assert collection.setup_errors == []
    assert sorted(info.account for info in collection.accounts) == accounts
    assert {info.role_arn for info in collection.accounts} == {
        f"arn:aws:iam::{account}:role/ComplyAudit" for account in accounts
    }
    assert {service.account for service in collection.raw_services} == set(accounts)


def test_outside_an_organization_is_a_setup_error(clients):
    collection = collect_aws(
        regions=["us-east-1"], services=["iam"], organization_role="ComplyAudit", deadline=None
    )
    # Whatever the API says (an error, or no account), nothing is scanned in place of the
    # organization, and the run says why.
    assert collection.accounts == [] and collection.raw_services == []
    [error] = collection.setup_errors
    assert error.target == "organizations:ListAccounts"
    assert (
        "management account or a delegated administrator" in error.message
        or "lists no active account" in error.message
    )


def test_assumed_role_credentials_are_refreshed_before_they_expire(clients):
    calls: list[str] = []
    base = boto3.Session()
    base.events.register("before-send.sts.AssumeRole", lambda **_: calls.append("AssumeRole"))
    # 15 minutes: already inside botocore's refresh window, so the next use refreshes them.
    session = assume_role(
        base, "arn:aws:iam::123456789012:role/ComplyAudit", ClientSettings(), duration_seconds=900
    )
    first = session.get_credentials().get_frozen_credentials()
    assert len(calls) >= 2  # the initial AssumeRole and at least one refresh
    assert first.access_key and first.token
    identity = session.client("sts", region_name="us-east-1").get_caller_identity()
    assert identity["Arn"].endswith(":assumed-role/ComplyAudit/comply-scan")


def test_permissions_organization_prints_the_extra_policy():
    result = CliRunner().invoke(aws_group, ["permissions", "--organization"])
    assert result.exit_code == 0, result.output
    policy = json.loads(result.output)
    actions = {s["Sid"]: (s["Action"], s["Resource"]) for s in policy["Statement"]}
    assert actions == {
        "ComplyListOrganizationAccounts": (["organizations:ListAccounts"], "*"),
        "ComplyAssumeAuditRole": ("sts:AssumeRole", "arn:aws:iam::*:role/ComplyAudit"),
    }
    named = CliRunner().invoke(aws_group, ["permissions", "--organization", "--role-name", "X"])
    assert "arn:aws:iam::*:role/X" in named.output


@pytest.mark.parametrize("flag", ["--organization"])
def test_scan_aws_has_the_flag(flag):
    from scanner.cli.aws_commands import scan_aws

    assert flag in {opt for param in scan_aws.params for opt in param.opts}
