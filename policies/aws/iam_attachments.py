"""IAM principals (users, roles, groups): administrator policies attached, inline policies, and
users holding policies directly.

`managed_policy_arns` lists the managed policies attached to a principal (live: from
GetAccountAuthorizationDetails; Terraform: the `aws_iam_*_policy_attachment` resources folded
into it, `aws_iam_policy_attachment` and a role's `managed_policy_arns`). `inline_policy_names`
lists its inline policies (live: the same call; Terraform: the `aws_iam_*_policy` resources
naming it and a role's `inline_policy` blocks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from policies.aws.definite_matches import definite_matches
from policies.aws.iam import _grants_everything
from policies.aws.iam_policy_documents import statements
from scanner.core.model import (
    ComputedRef,
    Resource,
    Result,
    is_unknown,
    split_root_label,
    terraform_address,
)
from scanner.core.registry import check

PRINCIPAL_TYPES = ("aws_iam_user", "aws_iam_role", "aws_iam_group")
# AWS-managed policies that grant administrative power: AdministratorAccess allows "*" on "*";
# IAMFullAccess allows iam:*, with which the holder can attach AdministratorAccess to itself.
ADMIN_AWS_MANAGED_POLICIES = ("AdministratorAccess", "IAMFullAccess")


def _aws_managed_name(arn: str) -> str | None:
    """`arn:aws:iam::aws:policy/AdministratorAccess` -> `AdministratorAccess` (any partition)."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "iam" and parts[4] == "aws":
        return parts[5].rpartition("/")[2]
    return None


def _aws_managed_name_of_template(text: str) -> str | None:
    """`arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess` (or the
    same through a local) -> `ReadOnlyAccess`: module code builds AWS-managed ARNs with the
    partition known only at apply, but the account `aws` and the name are literal, and a policy
    name is unique in its account whatever the path. A name holding an interpolation stays
    undecided (None)."""
    head, slash, name = text.rpartition("/")
    if not slash or not name or any(c in name for c in "${}"):
        return None
    return name if ":iam::aws:policy" in head else None


# `arn:<partition>:iam::${...data.aws_caller_identity.<name>.account_id}:policy/<path/name>`: the
# account is the one the configuration's own provider writes to (module code builds ARNs of its
# own policies this way); partition and path may be anything, the name must be literal.
# Through a local the prefix arrives wrapped as one interpolation: `${arn:...:policy}/name`.
_CALLER_ACCOUNT_POLICY = re.compile(
    r"^(?P<wrapped>\$\{)?arn:[^:]*:iam::\$\{[^{}]*data\.aws_caller_identity\.[^{}]*"
    r"\.account_id\}:policy(?(wrapped)\})(?P<name>/.*)$"
)


def _caller_account_policy(arn: str, principal: Resource, policies: Sequence[Resource]) -> Any:
    """The policy of this configuration that a caller-account ARN names, by path and name.

    `arn:${partition}:iam::${data.aws_caller_identity.current.account_id}:policy/X` names the
    customer-managed policy X of the account the configuration is applied to. When the same
    root module declares exactly one `aws_iam_policy` named X (same path), that policy is the
    one attached. None when the name is not literal, when no declared policy has it (it is then
    created elsewhere: unknown), or when a declared policy's name or path is unknown (it might
    be the one)."""
    match = _CALLER_ACCOUNT_POLICY.match(arn)
    if match is None:
        return None
    path, _, name = match.group("name").rpartition("/")
    if not name or any(c in match.group("name") for c in "${}"):
        return None
    label = split_root_label(principal.id)[0]
    same_root = [
        p for p in policies if p.source == "terraform" and split_root_label(p.id)[0] == label
    ]
    named = []
    for policy in same_root:
        could_be = _could_be_named(policy, name, f"{path}/")
        if could_be is None:
            return None  # this policy's name is not known: it might be the one
        if could_be:
            named.append(policy)
    if len(named) != 1 or named[0].existence is not None:
        return None  # none, several, or one this configuration may not create
    return named[0]


def _could_be_named(policy: Resource, name: str, path: str) -> bool | None:
    """Whether a declared policy gets this path and name; None when that cannot be told.

    Without `name`, AWS names the policy from `name_prefix` (default `terraform-`) plus a
    generated suffix, so only a name with that prefix could be it, and then it is undecided."""
    declared_path = policy.get("path")
    if is_unknown(declared_path) or isinstance(declared_path, ComputedRef):
        return None
    if (declared_path or "/") != path:
        return False
    declared_name = policy.get("name")
    if declared_name is None:
        prefix = policy.get("name_prefix")
        if prefix is None:
            prefix = "terraform-"
        if is_unknown(prefix) or not isinstance(prefix, str) or isinstance(prefix, ComputedRef):
            return None
        return None if name.startswith(prefix) else False
    if is_unknown(declared_name) or not isinstance(declared_name, str):
        return None
    if isinstance(declared_name, ComputedRef):
        return None
    return declared_name == name


def _policy_id(arn: str) -> str:
    """The inventory id of the policy an ARN names: the ARN itself (live), or the Terraform
    address of `aws_iam_policy.x.arn`."""
    if isinstance(arn, ComputedRef):
        return arn.rpartition(".")[0]
    return arn


def _inventory_key(policy: Resource) -> str:
    """ARN for a live policy; the Terraform address (without the scan's `path:` label) else."""
    if policy.source == "terraform":
        return terraform_address(policy.id)
    return policy.id


def _verdict_of_attachment(
    arn: Any, principal: Resource, policies: dict[str, Resource], declared: Sequence[Resource]
) -> tuple[str, str]:
    """("admin" | "fine" | "unknown", why) for one attached policy."""
    if is_unknown(arn) or not isinstance(arn, str):
        reason = arn.reason if is_unknown(arn) else repr(arn)
        return "unknown", f"an attached policy ARN is unknown: {reason}"
    if isinstance(arn, ComputedRef):
        name = _aws_managed_name_of_template(arn)
    else:
        name = _aws_managed_name(arn)
    if name is not None:
        if name in ADMIN_AWS_MANAGED_POLICIES:
            return "admin", f"AWS-managed {name}"
        return "fine", name
    policy = policies.get(_policy_id(arn))
    if policy is None and isinstance(arn, ComputedRef):
        policy = _caller_account_policy(arn, principal, declared)
    if policy is None:
        return "unknown", f"attached policy {arn} is not among the scanned policies"
    document = policy.get("policy")
    if is_unknown(document):
        return "unknown", f"the document of {policy.id} is unknown: {document.reason}"
    if document is None:
        return "fine", policy.id
    admin, unknown_reasons = definite_matches(statements(document), _grants_everything)
    if admin:
        return "admin", f'{policy.id} (allows "*" on "*")'
    if unknown_reasons:
        return "unknown", f"a statement of {policy.id} is unknown: {unknown_reasons[0]}"
    return "fine", policy.id


def _administrator_verdict(
    principal: Resource, policies: dict[str, Resource], declared: Sequence[Resource]
) -> Result:
    arns = principal.get("managed_policy_arns")
    if is_unknown(arns):
        return Result.unknown(f"attached policies are unknown: {arns.reason}")
    verdicts = [_verdict_of_attachment(arn, principal, policies, declared) for arn in arns or []]
    admin = [why for kind, why in verdicts if kind == "admin"]
    if admin:
        return Result.failed(f"administrator policy attached: {', '.join(admin)}")
    unknown = [why for kind, why in verdicts if kind == "unknown"]
    if unknown:
        return Result.unknown(unknown[0])
    if not verdicts:
        return Result.passed("no managed policy attached")
    return Result.passed(f"{len(verdicts)} attached policy(ies), none administrative")


@check(
    id="iam_principal_no_administrator_policy_attached",
    title="IAM users, roles and groups have no administrator policy attached",
    severity="high",
    resource_types=PRINCIPAL_TYPES,
    context_types=["aws_iam_policy"],
    scope="inventory",
    references={"aws_config": ["iam-policy-no-statements-with-admin-access"]},
)
def iam_principal_no_administrator_policy_attached(
    resources: Sequence[Resource],
) -> Iterator[tuple[Resource, Result]]:
    """A principal holding administrator rights can read every ePHI store, disable the audit
    trail and grant itself anything else: the opposite of least privilege. Day-to-day users and
    workload roles must not hold them; break-glass access belongs in a separately controlled role.

    Fails when an attached managed policy is the AWS-managed `AdministratorAccess` or
    `IAMFullAccess` (iam:* lets the holder attach the former to itself), or a customer-managed
    policy of the scan that allows `*` on `*` (the rule of `iam_policy_no_full_admin_privileges`).
    An attached customer-managed policy that is not in the scan (another module, or a failed
    policy listing) or an unresolved ARN makes the result unknown.

    Remediation: detach the policy and attach a scoped one (an AWS job-function policy, or your
    own):

        resource "aws_iam_role_policy_attachment" "app" {
          role       = aws_iam_role.app.name
          policy_arn = aws_iam_policy.app_scoped.arn
        }
    """
    declared = [r for r in resources if r.type == "aws_iam_policy"]
    policies = {_inventory_key(r): r for r in declared}
    for resource in resources:
        if resource.type in PRINCIPAL_TYPES:
            yield resource, _administrator_verdict(resource, policies, declared)


@check(
    id="iam_principal_no_inline_policies",
    title="IAM users, roles and groups have no inline policies",
    severity="low",
    resource_types=PRINCIPAL_TYPES,
    references={"aws_config": ["iam-no-inline-policy-check"]},
)
def iam_principal_no_inline_policies(principal: Resource) -> Result:
    """An inline policy lives inside one principal: it cannot be reviewed, versioned or reused
    as a managed policy can, and access reviews that list managed policies miss it. Managed
    policies keep authorisations in one reviewable place.

    Fails when a user, role or group has an inline policy (live: its own policy list; Terraform:
    an `aws_iam_*_policy` resource naming it, or a role's `inline_policy` block). Unknown when an
    inline policy names a principal that cannot be resolved.

    Remediation: move the statements into an `aws_iam_policy` and attach it:

        resource "aws_iam_policy" "app" {
          name   = "app"
          policy = data.aws_iam_policy_document.app.json
        }
        resource "aws_iam_role_policy_attachment" "app" {
          role       = aws_iam_role.app.name
          policy_arn = aws_iam_policy.app.arn
        }
    """
    names = principal.get("inline_policy_names")
    if is_unknown(names):
        return Result.unknown(f"inline policies are unknown: {names.reason}")
    known = [str(n) for n in names or [] if not is_unknown(n)]
    if known:
        return Result.failed(f"inline policies: {', '.join(known)}")
    unresolved = [n for n in names or [] if is_unknown(n)]
    if unresolved:
        return Result.unknown(f"an inline policy may belong here: {unresolved[0].reason}")
    return Result.passed("no inline policy")


@check(
    id="iam_user_no_policies_attached_directly",
    title="IAM users receive permissions through groups, not policies attached to them",
    severity="low",
    resource_types=["aws_iam_user"],
    references={"aws_config": ["iam-user-no-policies-check"]},
)
def iam_user_no_policies_attached_directly(user: Resource) -> Result:
    """Permissions granted user by user drift apart and are hard to review or revoke when a job
    changes; granted through groups (one per role in the organisation), an access review reads
    a few groups, and a leaver loses everything by leaving them (workforce clearance and access
    authorisation).

    Fails when a user has a managed policy attached or an inline policy of its own. Unknown when
    either list cannot be read or resolved.

    Remediation: put the user in a group holding the policy, and remove the user's own:

        resource "aws_iam_user_group_membership" "alice" {
          user   = aws_iam_user.alice.name
          groups = [aws_iam_group.clinicians.name]
        }
    """
    attached = user.get("managed_policy_arns")
    inline = user.get("inline_policy_names")
    unknown = [v for v in (attached, inline) if is_unknown(v)]
    known = [v for v in (attached, inline) if not is_unknown(v) and v]
    held = [str(item) for items in known for item in items if not is_unknown(item)]
    if held:
        return Result.failed(f"policies attached to the user: {', '.join(held)}")
    if unknown:
        return Result.unknown(f"the user's policies are unknown: {unknown[0].reason}")
    if any(is_unknown(item) for items in known for item in items):
        return Result.unknown("a policy that may be attached to the user cannot be resolved")
    return Result.passed("no policy attached to the user")
