"""The AWS account root user (`aws_iam_account`, live AWS only).

The IAM collector emits one `aws_iam_account` per account from GetAccountSummary: whether the
root user has MFA (`AccountMFAEnabled`) and access keys (`AccountAccessKeysPresent`). Terraform
cannot manage or see either, so these checks judge only resources collected from AWS.
"""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check


@check(
    id="iam_root_account_mfa_enabled",
    title="The AWS account root user has MFA",
    severity="critical",
    resource_types=["aws_iam_account"],
    references={"aws_config": ["root-account-mfa-enabled"]},
    sources=["aws"],
)
def iam_root_account_mfa_enabled(account: Resource) -> Result:
    """The root user can do anything in the account, including closing it and every action an IAM
    policy would deny, and it is shared rather than tied to one person. A second factor is the
    least protection its password needs (person or entity authentication).

    Remediation: sign in as the root user and assign an MFA device (account menu → Security
    credentials → Assign MFA device), preferably a hardware key kept under dual control. In an
    AWS Organizations member account, removing the root credentials with centralized root access
    management is stronger still.
    """
    account_id = account.get("account_id")
    enabled = account.get("root_mfa_enabled")
    if is_unknown(enabled):
        return Result.unknown(f"the account summary could not be read: {enabled.reason}")
    if account.get_bool("root_mfa_enabled", False):
        return Result.passed(f"the root user of account {account_id} has MFA")
    return Result.failed(f"the root user of account {account_id} has no MFA device")


@check(
    id="iam_root_account_no_access_keys",
    title="The AWS account root user has no access keys",
    severity="critical",
    resource_types=["aws_iam_account"],
    references={"aws_config": ["iam-root-access-key-check"]},
    sources=["aws"],
)
def iam_root_account_no_access_keys(account: Resource) -> Result:
    """A root access key gives unrestricted, unattributable API access to the whole account and
    cannot be limited by any IAM policy; no task needs one, so none should exist (unique user
    identification, person or entity authentication).

    Remediation: sign in as the root user, move whatever used the key to an IAM role or user with
    only the permissions it needs, then deactivate and delete the key (account menu → Security
    credentials → Access keys).
    """
    account_id = account.get("account_id")
    present = account.get("root_access_keys_present")
    if is_unknown(present):
        return Result.unknown(f"the account summary could not be read: {present.reason}")
    if present is None:
        return Result.unknown("the account summary did not say whether root access keys exist")
    if account.get_bool("root_access_keys_present", True):
        return Result.failed(f"the root user of account {account_id} has an access key")
    return Result.passed(f"the root user of account {account_id} has no access keys")


@check(
    id="iam_root_hardware_mfa_enabled",
    title="The AWS account root user's MFA is a hardware device",
    severity="high",
    resource_types=["aws_iam_account"],
    references={"aws_config": ["root-account-hardware-mfa-enabled"]},
    sources=["aws"],
)
def iam_root_hardware_mfa_enabled(account: Resource) -> Result:
    """A virtual MFA device is an app on a phone or laptop: its seed can be copied, backed up
    to a cloud account or lost with the device, and the root user it protects can do anything
    in the account. A hardware key (FIDO security key or hardware TOTP token) cannot be copied.

    Live only. Passes when the root user has MFA (GetAccountSummary) and no assigned virtual MFA
    device belongs to it (ListVirtualMFADevices: owner `...:root`, or serial
    `mfa/root-account-mfa-device`); fails without MFA, or with a virtual device. Either call
    refused makes it unknown.

    Remediation: sign in as the root user, assign a FIDO security key or hardware TOTP token
    (account menu → Security credentials → Assign MFA device), then remove the virtual device.
    """
    account_id = account.get("account_id")
    enabled = account.get("root_mfa_enabled")
    virtual = account.get("root_virtual_mfa")
    if is_unknown(enabled):
        return Result.unknown(f"the account summary could not be read: {enabled.reason}")
    if not account.get_bool("root_mfa_enabled", False):
        return Result.failed(f"the root user of account {account_id} has no MFA device")
    if is_unknown(virtual):
        return Result.unknown(f"the virtual MFA devices could not be listed: {virtual.reason}")
    if virtual is None:
        return Result.unknown("the virtual MFA devices were not collected (an older snapshot)")
    if virtual:
        return Result.failed(f"the root user of account {account_id} uses a virtual MFA device")
    return Result.passed(f"the root user of account {account_id} has MFA, not a virtual device")
