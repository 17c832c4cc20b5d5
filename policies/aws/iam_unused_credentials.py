"""IAM users' credentials left unused: console passwords and active access keys not used for 90
days (`aws_iam_user`, live AWS only: Terraform knows no usage).

Usage is measured against the instant the collector read it, so a snapshot evaluated later
gives the same result. A credential never used counts from its creation: a password set or a
key created more than 90 days ago and never used fails too.
"""

from __future__ import annotations

from typing import Any

from scanner.core.model import Resource, Result, Unknown, is_unknown
from scanner.core.registry import check

MAX_UNUSED_DAYS = 90


@check(
    id="iam_user_console_password_used_within_90_days",
    title="IAM console passwords unused for 90 days are removed",
    severity="medium",
    resource_types=["aws_iam_user"],
    references={"aws_config": ["iam-user-unused-credentials-check"]},
    sources=["aws"],
)
def iam_user_console_password_used_within_90_days(user: Resource) -> Result:
    """A console password nobody uses belongs to someone who left or changed jobs: it still
    opens the account that holds ePHI, and no one would notice it being used (termination
    procedures, access review).

    Fails when the user has a console password last used more than 90 days before collection,
    or never used and set more than 90 days before. Users without a console password pass.
    Unknown when the login profile or ListUsers (PasswordLastUsed) could not be read.

    Remediation: delete the login profile (`aws iam delete-login-profile --user-name NAME`), or
    the user if they left; remove `aws_iam_user_login_profile` from Terraform.
    """
    name = user.get("name")
    console = user.get("console_access")
    if is_unknown(console):
        return Result.unknown(f"console access of {name} could not be read: {console.reason}")
    if console is False:
        return Result.passed(f"{name} has no console password")
    since_use = user.get("days_since_password_use")
    if is_unknown(since_use):
        return Result.unknown(f"last console sign-in of {name} is unknown: {since_use.reason}")
    if isinstance(since_use, int):
        if since_use > MAX_UNUSED_DAYS:
            return Result.failed(f"{name}'s console password was last used {since_use} days ago")
        return Result.passed(f"{name}'s console password was used {since_use} days ago")
    if user.get("password_last_used") is not None:
        return Result.unknown(f"last console sign-in of {name} is not a date")
    age = user.get("password_age_days")
    if not isinstance(age, int):
        return Result.unknown(f"{name}'s console password was never used; its age is unknown")
    if age > MAX_UNUSED_DAYS:
        return Result.failed(f"{name}'s console password was set {age} days ago and never used")
    return Result.passed(f"{name}'s console password was set {age} days ago (not used yet)")


def _unused_days(key: dict[str, Any]) -> int | None:
    """Days the key has gone unused: since its last use, or since creation if never used."""
    since = key.get("days_since_last_use")
    if isinstance(since, Unknown):
        raise ValueError(since.reason)
    if isinstance(since, int):
        return since
    if key.get("last_used_date") is not None:
        return None  # a date we could not read
    age = key.get("age_days")
    return age if isinstance(age, int) else None


@check(
    id="iam_user_access_keys_used_within_90_days",
    title="Active IAM access keys unused for 90 days are deactivated",
    severity="medium",
    resource_types=["aws_iam_user"],
    references={"aws_config": ["iam-user-unused-credentials-check"]},
    sources=["aws"],
)
def iam_user_access_keys_used_within_90_days(user: Resource) -> Result:
    """An active access key nobody uses is a standing credential with no owner watching it: if it
    leaks, its use stands out to no one (termination procedures, access review).

    Fails when an active key was last used more than 90 days before collection, or never used
    and created more than 90 days before (GetAccessKeyLastUsed). Inactive keys authenticate
    nothing and are not judged. Unknown when a key's last use could not be read.

    Remediation: deactivate, then delete, the key (`aws iam update-access-key --status
    Inactive`, `aws iam delete-access-key`); use roles with temporary credentials instead.
    """
    name = user.get("name")
    keys = user.get("access_keys")
    if is_unknown(keys):
        return Result.unknown(f"access keys of {name} could not be listed: {keys.reason}")
    active = [k for k in keys or [] if k.get("status") != "Inactive"]
    if not active:
        return Result.passed(f"{name} has no active access key")
    stale: list[int] = []
    unreadable: list[str] = []
    for key in active:
        try:
            days = _unused_days(key)
        except ValueError as exc:
            unreadable.append(str(exc))
            continue
        if days is None:
            unreadable.append("no usable date")
        elif days > MAX_UNUSED_DAYS:
            stale.append(days)
    if stale:
        return Result.failed(
            f"{name} has {len(stale)} active access key(s) unused for "
            + ", ".join(f"{d} days" for d in stale)
        )
    if unreadable:
        return Result.unknown(f"last use of an active key of {name} is unknown: {unreadable[0]}")
    return Result.passed(f"{name}'s {len(active)} active access key(s) were used in 90 days")
