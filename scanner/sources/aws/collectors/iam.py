"""IAM (global): policies, users with MFA and access keys, the password policy, the root summary.

GetAccountAuthorizationDetails returns every customer-managed policy with its versions' documents
and every user, group and role with their inline policies, a page at a time: one paginated call
instead of ListPolicies + GetPolicyVersion per policy + List*Policies/Get*Policy per principal.
Per-user calls remain only for MFA devices and access keys (and each key's last use).

No password policy (NoSuchEntity) means AWS's default one applies: minimum length 8, no
character class, reuse or expiry requirement. The resource is emitted with those values and
`aws_default: true`, so the password checks fail on what is really enforced rather than vanish.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    call_optional,
    fan_out,
    parse_policy,
    partition_for,
    unknown_from,
)
from scanner.sources.aws.collectors._iam_principals import principal_resources

_DETAIL_FILTERS = {
    "users": ("User", "UserDetailList"),
    "roles": ("Role", "RoleDetailList"),
    "groups": ("Group", "GroupDetailList"),
    "policies": ("LocalManagedPolicy", "Policies"),
}
# IAM's own policy when none is set (the Terraform defaults of the checks are the resource's).
AWS_DEFAULT_PASSWORD_POLICY: dict[str, Any] = {
    "minimum_password_length": 8,
    "require_uppercase_characters": False,
    "require_lowercase_characters": False,
    "require_numbers": False,
    "require_symbols": False,
    "allow_users_to_change_password": True,
    "max_password_age": None,
    "password_reuse_prevention": None,
    "hard_expiry": False,
}
_PASSWORD_FIELDS = {
    "MinimumPasswordLength": "minimum_password_length",
    "RequireUppercaseCharacters": "require_uppercase_characters",
    "RequireLowercaseCharacters": "require_lowercase_characters",
    "RequireNumbers": "require_numbers",
    "RequireSymbols": "require_symbols",
    "AllowUsersToChangePassword": "allow_users_to_change_password",
    "MaxPasswordAge": "max_password_age",
    "PasswordReusePrevention": "password_reuse_prevention",
    "HardExpiry": "hard_expiry",
}


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    iam = clients("iam", region)
    # Ages of access keys are computed against this instant, not the evaluation time, so that a
    # snapshot evaluated next month gives the findings the live run gave.
    data: dict[str, Any] = {"partition": iam.meta.partition, "collected_at": _now()}

    def details(key: str) -> Any:
        filter_name, result_key = _DETAIL_FILTERS[key]
        return recorder.paginate(
            iam, "GetAccountAuthorizationDetails", result_key, Filter=[filter_name]
        )

    def account_call(key: str) -> Any:
        if key == "password_policy":
            return call_optional(recorder, iam, "GetAccountPasswordPolicy", ("NoSuchEntity",))
        if key == "user_list":
            # Only ListUsers returns PasswordLastUsed (the authorization details do not).
            return recorder.paginate(iam, "ListUsers", "Users")
        if key == "virtual_mfa_devices":
            return _virtual_mfa_devices(recorder, iam)
        return recorder.call(iam, "GetAccountSummary")

    keys = sorted(_DETAIL_FILTERS)
    data.update(zip(keys, fan_out(recorder, details, keys), strict=True))
    account_keys = ["password_policy", "summary", "user_list", "virtual_mfa_devices"]
    data.update(zip(account_keys, fan_out(recorder, account_call, account_keys), strict=True))
    users = data["users"]
    if unknown_from(users) is None:
        data["user_credentials"] = dict(
            zip(
                [str(u["UserName"]) for u in users],
                fan_out(recorder, lambda u: _user_credentials(recorder, iam, u), users),
                strict=True,
            )
        )
    return data


def _virtual_mfa_devices(recorder: CallRecorder, iam: Any) -> Any:
    """Assigned virtual MFA devices: serial number and owner only. A device's seed and QR code
    are never kept (AWS returns them only at creation; an emulator may return them always)."""
    devices = recorder.paginate(
        iam, "ListVirtualMFADevices", "VirtualMFADevices", AssignmentStatus="Assigned"
    )
    if unknown_from(devices) is not None or not isinstance(devices, list):
        return devices
    return [
        {
            "SerialNumber": device.get("SerialNumber"),
            "User": {"Arn": (device.get("User") or {}).get("Arn")},
        }
        for device in devices
        if isinstance(device, Mapping)
    ]


def root_virtual_mfa(devices: Any) -> bool | Unknown | None:
    """Whether the root user's MFA device is a virtual one (an assigned virtual device owned by
    `...:root`, or AWS's root serial `mfa/root-account-mfa-device`); None when not collected."""
    if devices is None:
        return None
    failed = unknown_from(devices)
    if failed is not None:
        return failed
    return any(
        str((device.get("User") or {}).get("Arn") or "").endswith(":root")
        or str(device.get("SerialNumber") or "").endswith(":mfa/root-account-mfa-device")
        for device in devices
        if isinstance(device, Mapping)
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _user_credentials(recorder: CallRecorder, iam: Any, user: Mapping[str, Any]) -> dict[str, Any]:
    name = str(user["UserName"])
    out: dict[str, Any] = {
        "mfa_devices": recorder.paginate(iam, "ListMFADevices", "MFADevices", UserName=name),
        "access_keys": recorder.paginate(iam, "ListAccessKeys", "AccessKeyMetadata", UserName=name),
        # A login profile is a console password; NoSuchEntity means the user has none.
        "login_profile": call_optional(
            recorder, iam, "GetLoginProfile", ("NoSuchEntity",), UserName=name
        ),
    }
    if unknown_from(out["access_keys"]) is None:
        out["last_used"] = {
            str(key["AccessKeyId"]): recorder.call(
                iam, "GetAccessKeyLastUsed", AccessKeyId=key["AccessKeyId"]
            )
            for key in out["access_keys"]
        }
    return out


def _password_policy(response: Any, account: str, partition: str) -> Resource:
    failed = unknown_from(response)
    attributes: dict[str, Any]
    if failed is not None:
        attributes = dict.fromkeys(_PASSWORD_FIELDS.values(), failed)
    elif response is None:
        attributes = {**AWS_DEFAULT_PASSWORD_POLICY, "aws_default": True}
    else:
        policy = response.get("PasswordPolicy", {})
        attributes = {ours: policy.get(theirs) for theirs, ours in _PASSWORD_FIELDS.items()}
        attributes["aws_default"] = False
    return Resource(
        type="aws_iam_account_password_policy",
        id=f"arn:{partition}:iam::{account}:account-password-policy",
        source="aws",
        location=Location(account=account, region="global"),
        attributes=attributes,
        raw=response,
    )


def _account(response: Any, account: str, partition: str, virtual_mfa: Any = None) -> Resource:
    failed = unknown_from(response)
    summary = {} if failed is not None else dict(response.get("SummaryMap", {}))

    def flag(name: str) -> bool | Unknown:
        return failed if failed is not None else bool(summary.get(name, 0))

    return Resource(
        type="aws_iam_account",
        id=f"arn:{partition}:iam::{account}:root",
        source="aws",
        location=Location(account=account, region="global"),
        attributes={
            "account_id": account,
            "root_mfa_enabled": flag("AccountMFAEnabled"),
            "root_access_keys_present": flag("AccountAccessKeysPresent"),
            "root_signing_certificates_present": flag("AccountSigningCertificatesPresent"),
            "root_virtual_mfa": root_virtual_mfa(virtual_mfa),
            "summary": failed if failed is not None else summary,
        },
        raw=response,
    )


def _managed_policy(policy: Mapping[str, Any], account: str) -> Resource:
    default = next(
        (v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None
    )
    document: Any = (
        parse_policy(default.get("Document"))
        if default is not None
        else Unknown(f"default version {policy.get('DefaultVersionId')} was not returned")
    )
    return Resource(
        type="aws_iam_policy",
        id=str(policy["Arn"]),
        source="aws",
        location=Location(account=account, region="global"),
        attributes={
            "arn": policy["Arn"],
            "name": policy.get("PolicyName"),
            "path": policy.get("Path"),
            "description": policy.get("Description"),
            "default_version_id": policy.get("DefaultVersionId"),
            "attachment_count": policy.get("AttachmentCount"),
            "policy": document,
        },
        raw=dict(policy),
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    data = raw.data
    partition = str(data.get("partition") or partition_for("us-east-1"))
    policies = data.get("policies", [])
    if unknown_from(policies) is None:
        for policy in policies:
            yield _managed_policy(policy, raw.account)
    yield from principal_resources(data, raw.account)
    if "password_policy" in data:
        yield _password_policy(data["password_policy"], raw.account, partition)
    if "summary" in data:
        yield _account(data["summary"], raw.account, partition, data.get("virtual_mfa_devices"))


COLLECTOR = Collector(
    name="iam",
    actions=(
        "iam:GetAccountAuthorizationDetails",
        "iam:GetAccountPasswordPolicy",
        "iam:GetAccountSummary",
        "iam:ListMFADevices",
        "iam:ListAccessKeys",
        "iam:GetAccessKeyLastUsed",
        "iam:GetLoginProfile",
        "iam:ListUsers",
        "iam:ListVirtualMFADevices",
    ),
    scope="global",
    collect=collect,
    normalize=normalize,
    resource_types=(
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_user_policy",
        "aws_iam_group_policy",
        "aws_iam_role",
        "aws_iam_user",
        "aws_iam_account_password_policy",
        "aws_iam_account",
    ),
)
