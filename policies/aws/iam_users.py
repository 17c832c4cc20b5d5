"""IAM users' credentials: MFA devices and access key age (`aws_iam_user`, live AWS only).

Terraform knows neither a user's MFA devices nor when an access key was created, so these checks
judge only resources collected from AWS (`sources=["aws"]`). The IAM collector lists each user's
MFA devices (ListMFADevices) and access keys (ListAccessKeys), and computes each key's age in
days against the instant it collected them, so a snapshot evaluated later gives the same result.
"""

from __future__ import annotations

from typing import Any

from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check

MAX_ACCESS_KEY_AGE_DAYS = 90


@check(
    id="iam_user_mfa_enabled",
    title="IAM users have an MFA device",
    severity="high",
    resource_types=["aws_iam_user"],
    references={"aws_config": ["iam-user-mfa-enabled"]},
    sources=["aws"],
)
def iam_user_mfa_enabled(user: Resource) -> Result:
    """A password or an access key alone is one stolen secret away from a working session on the
    account that holds ePHI; a second factor makes the person prove who they are (person or entity
    authentication).

    Users with a console password (a login profile) must have an MFA device. A user without one
    signs in with access keys only and passes here (their keys are judged by the rotation check;
    such users are better replaced by roles). If the login profile could not be read, the result
    is unknown.

    Remediation: assign an MFA device to the user (IAM console → Users → Security credentials →
    Assign MFA device, or `aws iam enable-mfa-device`), and deny actions without MFA with an
    `aws:MultiFactorAuthPresent` condition. Terraform can create a virtual device with
    `aws_iam_virtual_mfa_device`, but enabling it needs the codes of the person who holds it.
    """
    name = user.get("name")
    console = user.get("console_access")
    if is_unknown(console):
        return Result.unknown(f"console access of {name} could not be read: {console.reason}")
    if console is False:
        return Result.passed(f"{name} has no console password: MFA protects console sign-in")
    enabled = user.get("mfa_enabled")
    if is_unknown(enabled):
        return Result.unknown(f"MFA devices of {name} could not be listed: {enabled.reason}")
    if not user.get_bool("mfa_enabled", False):
        return Result.failed(f"{name} has no MFA device")
    devices = user.get("mfa_devices") or []
    listed = ", ".join(str(d) for d in devices) if not is_unknown(devices) else "listed"
    return Result.passed(f"{name} has MFA: {listed}")


def _describe(key: dict[str, Any]) -> str:
    # By creation date, not by key id: messages redact anything shaped like an access key id.
    created = str(key.get("create_date") or "")[:10] or "on an unknown date"
    return f"key created {created} ({key.get('age_days')} days old)"


@check(
    id="iam_user_access_keys_rotated_90_days",
    title="Active IAM access keys are younger than 90 days",
    severity="medium",
    resource_types=["aws_iam_user"],
    references={"aws_config": ["access-keys-rotated"]},
    sources=["aws"],
)
def iam_user_access_keys_rotated_90_days(user: Resource) -> Result:
    """A long-lived access key is a password that never expires: the longer it lives, the more
    places it has been copied to and the longer a leaked copy keeps working. Rotating active keys
    at least every 90 days (the CIS AWS Foundations benchmark interval) is part of managing
    credentials.

    A key's age is its creation date measured against the time the collector listed it, not the
    time the check runs. Inactive keys are not judged: they authenticate nothing until reactivated.
    A key older than 90 days fails on its 91st day.

    Remediation: create a second key, move every consumer to it, deactivate the old one, then
    delete it (`aws iam create-access-key`, `aws iam update-access-key --status Inactive`,
    `aws iam delete-access-key`). Better still, replace long-lived keys with roles and temporary
    credentials (IAM Identity Center, instance profiles, OIDC federation for CI).
    """
    name = user.get("name")
    keys = user.get("access_keys")
    if is_unknown(keys):
        return Result.unknown(f"access keys of {name} could not be listed: {keys.reason}")
    if not keys:
        return Result.passed(f"{name} has no access keys")
    active: list[dict[str, Any]] = []
    for key in keys:
        status = key.get("status")
        if status is None:
            return Result.unknown(f"ListAccessKeys returned a key of {name} without a status")
        if status == "Active":
            active.append(key)
    if not active:
        return Result.passed(f"{name} has no active access key ({len(keys)} inactive)")
    unmeasured = [k for k in active if not isinstance(k.get("age_days"), int)]
    if unmeasured:
        return Result.unknown(
            f"the age of {len(unmeasured)} active access key(s) of {name} is unknown"
            " (no creation date)"
        )
    stale = [k for k in active if k["age_days"] > MAX_ACCESS_KEY_AGE_DAYS]
    if stale:
        return Result.failed(
            f"{name} has active access key(s) older than {MAX_ACCESS_KEY_AGE_DAYS} days: "
            + ", ".join(_describe(k) for k in stale)
        )
    return Result.passed(
        f"{name}'s active access key(s) are at most {MAX_ACCESS_KEY_AGE_DAYS} days old: "
        + ", ".join(_describe(k) for k in active)
    )
