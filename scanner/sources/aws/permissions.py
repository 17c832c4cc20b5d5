"""The minimal read-only IAM policy a scan needs, built from the collectors' declared actions.

Beyond the collectors' own actions a scan sends:
- `ec2:DescribeRegions` for region discovery (listed here, read-only);
- `sts:GetCallerIdentity`, which needs no permission (IAM cannot deny it);
- `sts:AssumeRole` with `--role-arn`: the one operation that is not a read. It is granted to the
  *caller* (and allowed by the audit role's trust policy), never part of the audit role's policy,
  so it is not in this document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from scanner.sources.aws.collector import Collector

# API Gateway's management API is authorized by HTTP verb: `apigateway:GET` is its only read
# action (GetRestApis, GetStages, GetDomainNames, ...), never a write.
READ_ONLY_ACTION = re.compile(
    r"^(?:[a-z0-9-]+:(Describe|List|Get|Lookup)[A-Za-z0-9]*|apigateway:GET)$"
)
DISCOVERY_ACTIONS = ("ec2:DescribeRegions",)
# Operations a scan may send that are not Describe/List/Get/Lookup, and why each is safe.
ALLOWED_NON_READ_OPERATIONS = {
    "GetCallerIdentity": "sts: identifies the account; no permission needed",
    "AssumeRole": "sts: --role-arn, enters the audit role of another account",
}


def required_actions(collectors: Iterable[Collector]) -> list[str]:
    actions = set(DISCOVERY_ACTIONS)
    for collector in collectors:
        actions.update(collector.actions)
    return sorted(actions)


def not_read_only(actions: Iterable[str]) -> list[str]:
    """Actions a read-only policy must not contain (an empty list is the good answer)."""
    return sorted(a for a in actions if not READ_ONLY_ACTION.match(a))


def permissions_policy(collectors: Sequence[Collector]) -> dict[str, Any]:
    """An IAM policy document allowing exactly what the given collectors call."""
    actions = required_actions(collectors)
    bad = not_read_only(actions)
    if bad:  # a collector declared a write: refuse to print a policy that grants it
        raise ValueError(f"collectors declare non-read-only actions: {', '.join(bad)}")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ComplyReadOnlyScan",
                "Effect": "Allow",
                "Action": actions,
                "Resource": "*",
            }
        ],
    }
