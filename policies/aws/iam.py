"""IAM: administrative wildcards in inline and managed policies."""

from __future__ import annotations

from typing import Any

from policies.aws.definite_matches import definite_matches
from policies.aws.iam_policy_documents import as_list, statements
from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check

IAM_POLICY_TYPES = (
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
)


# NotAction entries that keep IAM out of an "everything except" grant: without IAM the holder
# cannot grant itself the rest (the PowerUserAccess shape).
IAM_EXCLUSIONS = ("*", "*:*", "iam:*")


def _entry(value: Any) -> str:
    if is_unknown(value):
        return str(bool(value))  # the marker raises: the statement becomes unknown
    return str(value).lower()


def _matches_every_resource(resource: str) -> bool:
    """`*`, or an ARN pattern whose service and every later field is a wildcard
    (`arn:aws:*:*:*:*`, `arn:*:*:*:*:*`): both name every resource."""
    if resource == "*":
        return True
    parts = resource.split(":")
    return len(parts) >= 3 and parts[0] == "arn" and all(p in ("*", "") for p in parts[2:])


def _all_resources(statement: Any) -> bool:
    """Resource "*" (or an ARN pattern as wide), or NotResource: every resource except the
    listed ones."""
    if "NotResource" in statement and "Resource" not in statement:
        return True
    return any(_matches_every_resource(_entry(r)) for r in as_list(statement.get("Resource")))


def _all_actions(statement: Any) -> bool:
    """Action "*", or NotAction that does not exclude IAM: every action except a few, IAM
    included, is full admin one policy attachment away."""
    if "NotAction" in statement and "Action" not in statement:
        excluded = [_entry(a) for a in as_list(statement.get("NotAction"))]
        return not any(a in IAM_EXCLUSIONS for a in excluded)
    return any(_entry(a) in ("*", "*:*") for a in as_list(statement.get("Action")))


def _grants_everything(statement: Any) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    return _all_actions(statement) and _all_resources(statement)


@check(
    id="iam_policy_no_full_admin_privileges",
    title='IAM policies do not allow every action ("*") on every resource ("*")',
    severity="high",
    resource_types=IAM_POLICY_TYPES,
    references={
        "checkov": ["CKV_AWS_62", "CKV_AWS_1"],
        "aws_config": ["iam-policy-no-statements-with-admin-access"],
    },
)
def iam_policy_no_full_admin_privileges(policy_resource: Resource) -> Result:
    """A statement allowing `*` on `*` grants full administrative access, including to IAM
    itself, to whoever holds the policy: the opposite of least privilege and access
    authorisation. Conditions on such a statement do not make it pass. An ARN pattern with every
    field wildcarded (`arn:aws:*:*:*:*`) counts as every resource, and so does `NotResource`
    (all but the listed ones); `NotAction` counts as every action unless it excludes `iam:*`
    (otherwise the holder can grant itself the rest): `NotAction = ["iam:*", ...]` on `*`, the
    PowerUserAccess shape, passes.

    Remediation: grant the actions and resources the role needs (or attach a scoped AWS-managed
    job-function policy), and keep break-glass admin access outside day-to-day roles:

        statement {
          effect    = "Allow"
          actions   = ["s3:GetObject", "s3:PutObject"]
          resources = ["${aws_s3_bucket.phi.arn}/*"]
        }
    """
    document = policy_resource.get("policy")
    if is_unknown(document):
        return Result.unknown(f"policy document is unknown: {document.reason}")
    if document is None:
        return Result.passed("no policy document")
    admin, unknown_reasons = definite_matches(statements(document), _grants_everything)
    if admin:
        sids = ", ".join(str(s.get("Sid") or "(no Sid)") for s in admin)
        return Result.failed(f'statement(s) {sids} allow action "*" on resource "*"')
    if unknown_reasons:
        return Result.unknown(f"a policy statement is unknown: {unknown_reasons[0]}")
    return Result.passed('no statement allows action "*" on resource "*"')
