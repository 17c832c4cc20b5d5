"""`comply scan aws --organization`: every active account of the AWS Organization, scanned
through the same role name in each.

organizations:ListAccounts answers only in the management account or a delegated administrator
account; anywhere else it is a setup error naming the call, and nothing is scanned silently.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from scanner.sources.aws.session import ClientSettings, TargetError, home_region

DEFAULT_ROLE_NAME = "ComplyAudit"
ORGANIZATION_ACTIONS = ("organizations:ListAccounts",)


def _partition(caller_arn: str) -> str:
    parts = caller_arn.split(":")
    return parts[1] if len(parts) > 1 and parts[1] else "aws"


def organization_role_arns(
    session: boto3.Session, role_name: str, settings: ClientSettings, caller_arn: str
) -> list[str]:
    """The role ARN to assume in each ACTIVE account of the organization, sorted by account."""
    try:
        client = session.client(
            "organizations", region_name=home_region(session), config=settings.config()
        )
        accounts: list[dict[str, Any]] = []
        for page in client.get_paginator("list_accounts").paginate():
            accounts.extend(page.get("Accounts", []))
    except (BotoCoreError, ClientError) as exc:
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code, message = str(error.get("Code", "ClientError")), str(error.get("Message", exc))
        else:
            code, message = type(exc).__name__, str(exc)
        raise TargetError(
            "organizations:ListAccounts",
            code,
            f"{message} (run from the management account or a delegated administrator)",
        ) from exc
    partition = _partition(caller_arn)
    active = sorted(
        str(a["Id"]) for a in accounts if str(a.get("Status", a.get("State", ""))) == "ACTIVE"
    )
    return [f"arn:{partition}:iam::{account}:role/{role_name}" for account in active]


def organization_policy(role_name: str) -> dict[str, Any]:
    """What the scanning principal needs beyond the read-only policy, for --organization."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ComplyListOrganizationAccounts",
                "Effect": "Allow",
                "Action": list(ORGANIZATION_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": "ComplyAssumeAuditRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": f"arn:aws:iam::*:role/{role_name}",
            },
        ],
    }
