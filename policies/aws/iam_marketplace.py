"""IAM policies that let their holder subscribe to any AWS Marketplace product."""

from __future__ import annotations

import fnmatch
from typing import Any

from policies.aws.definite_matches import definite_matches
from policies.aws.iam import IAM_POLICY_TYPES, _all_resources, _entry
from policies.aws.iam_policy_documents import as_list, statements
from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check


def _subscribes_anywhere(statement: Any) -> bool:
    """Allow of an action naming the marketplace service that matches `aws-marketplace:Subscribe`
    (`aws-marketplace:Subscribe`, `aws-marketplace:*`, `aws-marketplace:Sub*`), on every
    resource. A bare `*` is left to `iam_policy_no_full_admin_privileges`."""
    if statement.get("Effect") != "Allow":
        return False
    actions = [_entry(a) for a in as_list(statement.get("Action"))]
    named = [a for a in actions if a.startswith("aws-marketplace:")]
    subscribe = any(fnmatch.fnmatchcase("aws-marketplace:subscribe", a) for a in named)
    return subscribe and _all_resources(statement)


@check(
    id="iam_policy_no_marketplace_subscribe_wildcard",
    title="IAM policies do not allow aws-marketplace:Subscribe on every product",
    severity="medium",
    resource_types=IAM_POLICY_TYPES,
)
def iam_policy_no_marketplace_subscribe_wildcard(policy_resource: Resource) -> Result:
    """Subscribing to a Marketplace product installs third-party software (AMIs, SaaS, data
    products) that may process ePHI outside any vendor review or business associate agreement,
    and commits the account to its charges. Who may subscribe, and to what, is an access
    authorisation decision.

    Fails when an Allow statement grants `aws-marketplace:Subscribe` (or a wildcard over it within
    the `aws-marketplace` service) on every resource; conditions do not make it pass. Unknown
    when the document or a statement cannot be resolved.

    Remediation: grant subscriptions to the procurement role only, limited to approved products
    (`aws-marketplace:ProductId` condition), or manage them with a Private Marketplace:

        statement {
          actions   = ["aws-marketplace:Subscribe"]
          resources = ["*"]
          condition {
            test     = "ForAnyValue:StringEquals"
            variable = "aws-marketplace:ProductId"
            values   = ["prod-approved-1234"]
          }
        }
    """
    document = policy_resource.get("policy")
    if is_unknown(document):
        return Result.unknown(f"policy document is unknown: {document.reason}")
    if document is None:
        return Result.passed("no policy document")
    found, unknown_reasons = definite_matches(statements(document), _subscribes_anywhere)
    if found:
        sids = ", ".join(str(s.get("Sid") or "(no Sid)") for s in found)
        return Result.failed(
            f"statement(s) {sids} allow aws-marketplace:Subscribe on every product"
        )
    if unknown_reasons:
        return Result.unknown(f"a policy statement is unknown: {unknown_reasons[0]}")
    return Result.passed("no statement allows aws-marketplace:Subscribe on every product")
