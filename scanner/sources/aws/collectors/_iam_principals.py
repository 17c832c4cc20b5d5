"""IAM users, roles and groups (from GetAccountAuthorizationDetails) and their inline policies.

A helper of collectors/iam.py (the leading underscore keeps collector discovery from treating it
as a collector module).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import parse_policy, unknown_from

# (data key, inline policy list key, canonical principal type, inline policy type, owner arg)
_PRINCIPALS = (
    ("users", "UserPolicyList", "aws_iam_user", "aws_iam_user_policy", "user"),
    ("roles", "RolePolicyList", "aws_iam_role", "aws_iam_role_policy", "role"),
    ("groups", "GroupPolicyList", "aws_iam_group", "aws_iam_group_policy", "group"),
)
_NAME_KEYS = {"users": "UserName", "roles": "RoleName", "groups": "GroupName"}


def _either(failed: Unknown | None, value: Any) -> Any:
    """The Unknown when the call failed, else the value (a callable is evaluated only then).
    Never `failed or value`: deciding on an Unknown raises, by design."""
    if failed is not None:
        return failed
    return value() if callable(value) else value


def _days_between(earlier: Any, later: str) -> int | None:
    if not isinstance(earlier, str):
        return None
    try:
        return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).days
    except ValueError:
        return None


def _access_keys(credentials: Mapping[str, Any], collected_at: str) -> Any:
    keys = credentials.get("access_keys")
    failed = unknown_from(keys)
    if failed is not None:
        return failed
    if keys is None:
        return Unknown("iam:ListAccessKeys was not recorded for this user")
    last_used_by_key = credentials.get("last_used", {})
    out = []
    for key in keys:
        key_id = str(key.get("AccessKeyId"))
        response = last_used_by_key.get(key_id)
        last_used_failed = unknown_from(response)
        last = {} if last_used_failed is not None else (response or {}).get("AccessKeyLastUsed", {})
        last_date = last.get("LastUsedDate")
        out.append(
            {
                "id": key_id,
                "status": key.get("Status"),
                "create_date": key.get("CreateDate"),
                "age_days": _days_between(key.get("CreateDate"), collected_at),
                "last_used_date": _either(last_used_failed, last_date),
                "last_used_service": _either(last_used_failed, last.get("ServiceName")),
                "days_since_last_use": _either(
                    last_used_failed, _days_between(last_date, collected_at)
                ),
            }
        )
    return out


def _user_attributes(
    user: Mapping[str, Any],
    data: Mapping[str, Any],
    listed: dict[str, Mapping[str, Any]] | Unknown,
) -> dict[str, Any]:
    credentials = (data.get("user_credentials") or {}).get(str(user["UserName"]), {})
    devices = credentials.get("mfa_devices")
    failed = unknown_from(devices)
    if failed is None and devices is None:
        failed = Unknown("iam:ListMFADevices was not recorded for this user")
    collected_at = str(data.get("collected_at"))
    profile = credentials.get("login_profile")
    profile_failed = unknown_from(profile)
    if "login_profile" not in credentials:
        profile_failed = Unknown("iam:GetLoginProfile was not recorded for this user")
    return {
        **_password_use(user, listed, profile, profile_failed, collected_at),
        "console_access": _either(profile_failed, lambda: profile is not None),
        "mfa_devices": _either(failed, lambda: [d.get("SerialNumber") for d in devices]),
        "mfa_enabled": _either(failed, lambda: bool(devices)),
        "access_keys": _access_keys(credentials, collected_at),
        "groups": list(user.get("GroupList", [])),
    }


def listed_users(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]] | Unknown:
    """ListUsers' entries by user name (the only call returning PasswordLastUsed)."""
    listed = data.get("user_list")
    failed = unknown_from(listed)
    if failed is not None:
        return failed
    if listed is None:
        return Unknown("iam:ListUsers was not recorded")
    return {str(u.get("UserName")): u for u in listed}


def _password_use(
    user: Mapping[str, Any],
    listed: dict[str, Mapping[str, Any]] | Unknown,
    profile: Any,
    profile_failed: Unknown | None,
    collected_at: str,
) -> dict[str, Any]:
    """When the console password was last used (absent when never used) and when it was set (the
    login profile's CreateDate), in days before collection."""
    name = str(user["UserName"])
    last_used: Any
    if isinstance(listed, Unknown):
        last_used = listed
    elif name not in listed:
        last_used = Unknown(f"{name} is not in iam:ListUsers")
    else:
        last_used = listed[name].get("PasswordLastUsed")
    failed = last_used if isinstance(last_used, Unknown) else None
    profile_data = {} if profile_failed is not None or not profile else profile
    created_at = profile_data.get("LoginProfile", {}).get("CreateDate")
    return {
        "password_last_used": last_used,
        "days_since_password_use": _either(failed, lambda: _days_between(last_used, collected_at)),
        "password_age_days": _either(
            profile_failed, lambda: _days_between(created_at, collected_at)
        ),
    }


def _inline_policy(
    owner_arn: str,
    owner_kind: str,
    owner_name: str,
    entry: Mapping[str, Any],
    kind: str,
    account: str,
) -> Resource:
    name = str(entry.get("PolicyName"))
    return Resource(
        type=kind,
        # Inline policies have no ARN of their own: the owner's ARN and the policy name.
        id=f"{owner_arn}#inline-policy/{name}",
        source="aws",
        location=Location(account=account, region="global"),
        attributes={
            "name": name,
            owner_kind: owner_name,
            "policy": parse_policy(entry.get("PolicyDocument")),
        },
        raw=dict(entry),
    )


def principal_resources(data: Mapping[str, Any], account: str) -> Iterator[Resource]:
    password_use = listed_users(data)
    for key, inline_key, principal_type, inline_type, owner_kind in _PRINCIPALS:
        listed = data.get(key, [])
        if unknown_from(listed) is not None:
            continue
        for principal in listed:
            name = str(principal[_NAME_KEYS[key]])
            arn = str(principal["Arn"])
            attributes: dict[str, Any] = {
                "name": name,
                "arn": arn,
                "path": principal.get("Path"),
                "managed_policy_arns": [
                    p.get("PolicyArn") for p in principal.get("AttachedManagedPolicies", [])
                ],
                "inline_policy_names": [
                    str(p.get("PolicyName")) for p in principal.get(inline_key, [])
                ],
            }
            if key == "users":
                attributes.update(_user_attributes(principal, data, password_use))
            if key == "roles":
                attributes["assume_role_policy"] = parse_policy(
                    principal.get("AssumeRolePolicyDocument")
                )
            yield Resource(
                type=principal_type,
                id=arn,
                source="aws",
                location=Location(account=account, region="global"),
                attributes=attributes,
                raw=dict(principal),
            )
            for entry in principal.get(inline_key, []):
                yield _inline_policy(arn, owner_kind, name, entry, inline_type, account)
