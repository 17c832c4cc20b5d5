"""IAM principals (users, roles, groups): administrator policies attached, inline policies, and
users holding policies directly.

`managed_policy_arns` lists the managed policies attached to a principal (live: from
GetAccountAuthorizationDetails; Terraform: the `aws_iam_*_policy_attachment` resources folded
into it, `aws_iam_policy_attachment` and a role's `managed_policy_arns`). `inline_policy_names`
lists its inline policies (live: the same call; Terraform: the `aws_iam_*_policy` resources
naming it and a role's `inline_policy` blocks).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from policies.aws.definite_matches import definite_matches
from policies.aws.iam import _grants_everything
from policies.aws.iam_policy_documents import statements
from scanner.core.model import ComputedRef, Resource, Result, is_unknown, terraform_address
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


def _verdict_of_attachment(arn: Any, policies: dict[str, Resource]) -> tuple[str, str]:
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


def _administrator_verdict(principal: Resource, policies: dict[str, Resource]) -> Result:
    arns = principal.get("managed_policy_arns")
    if is_unknown(arns):
        return Result.unknown(f"attached policies are unknown: {arns.reason}")
    verdicts = [_verdict_of_attachment(arn, policies) for arn in arns or []]
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
    policies = {_inventory_key(r): r for r in resources if r.type == "aws_iam_policy"}
    for resource in resources:
        if resource.type in PRINCIPAL_TYPES:
            yield resource, _administrator_verdict(resource, policies)


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
