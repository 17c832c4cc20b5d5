"""Unused IAM credentials on the cases moto cannot seed (backdated sign-ins and keys), through the
real IAM normalizer on AWS-shaped responses, and the unknowns of a refused call."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.model import Resource
from scanner.core.registry import load_registry
from scanner.sources.aws.collector import CallError, RawService
from scanner.sources.aws.collectors import iam as iam_collector

REGISTRY = load_registry()
ACCOUNT = "123456789012"
COLLECTED = "2026-06-30T12:00:00+00:00"
PASSWORD = "iam_user_console_password_used_within_90_days"
KEYS = "iam_user_access_keys_used_within_90_days"


def denied(operation: str) -> dict[str, Any]:
    return CallError("iam", operation, "global", "AccessDenied", "not authorized").as_marker()


def user(
    *,
    password_last_used: str | None = None,
    profile_created: str | None = None,
    keys: list[dict[str, Any]] | None = None,
    last_used: dict[str, Any] | None = None,
    user_list: Any = None,
) -> Resource:
    listed = {"UserName": "alice", "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice"}
    if password_last_used:
        listed["PasswordLastUsed"] = password_last_used
    profile = {"LoginProfile": {"CreateDate": profile_created}} if profile_created else None
    credentials = {
        "mfa_devices": [],
        "access_keys": keys or [],
        "login_profile": profile,
        "last_used": last_used or {},
    }
    data = {
        "partition": "aws",
        "collected_at": COLLECTED,
        "users": [{"UserName": "alice", "Arn": listed["Arn"]}],
        "user_list": [listed] if user_list is None else user_list,
        "user_credentials": {"alice": credentials},
    }
    raw = RawService("iam", ACCOUNT, "global", data)
    (found,) = [r for r in iam_collector.normalize(raw) if r.type == "aws_iam_user"]
    return found


def status(check_id: str, resource: Resource) -> str:
    (finding,) = evaluate([resource], [REGISTRY.checks[check_id]], REGISTRY).findings
    return finding.status.value


@pytest.mark.parametrize(
    ("last_used", "created", "expected"),
    [
        ("2026-06-01T08:00:00+00:00", "2025-01-01T00:00:00+00:00", "pass"),
        ("2026-03-01T08:00:00+00:00", "2025-01-01T00:00:00+00:00", "fail"),  # 121 days
        (None, "2026-06-20T00:00:00+00:00", "pass"),  # set 10 days ago, not used yet
        (None, "2026-01-02T00:00:00+00:00", "fail"),  # set 179 days ago, never used
    ],
)
def test_console_password_use(last_used: str | None, created: str, expected: str) -> None:
    assert status(PASSWORD, user(password_last_used=last_used, profile_created=created)) == (
        expected
    )


def test_refused_list_users_makes_only_the_password_check_unknown() -> None:
    alice = user(profile_created="2025-01-01T00:00:00+00:00", user_list=denied("ListUsers"))
    assert status(PASSWORD, alice) == "unknown"
    assert status("iam_user_mfa_enabled", alice) == "fail"  # still judged: no MFA device
    assert status(KEYS, alice) == "pass"


def _key(created: str, status_: str = "Active") -> dict[str, Any]:
    return {"AccessKeyId": "AKIAEXAMPLE0000001", "Status": status_, "CreateDate": created}


@pytest.mark.parametrize(
    ("key", "last_used", "expected"),
    [
        (_key("2025-01-01T00:00:00+00:00"), {"LastUsedDate": "2026-06-29T00:00:00+00:00"}, "pass"),
        (_key("2025-01-01T00:00:00+00:00"), {"LastUsedDate": "2026-02-01T00:00:00+00:00"}, "fail"),
        (_key("2025-01-01T00:00:00+00:00"), {}, "fail"),  # never used, 545 days old
        (_key("2026-06-01T00:00:00+00:00"), {}, "pass"),  # never used, 29 days old
        (_key("2025-01-01T00:00:00+00:00", "Inactive"), {}, "pass"),
    ],
)
def test_access_key_use(key: dict[str, Any], last_used: dict[str, Any], expected: str) -> None:
    response = {"AccessKeyLastUsed": last_used}
    alice = user(keys=[key], last_used={key["AccessKeyId"]: response})
    assert status(KEYS, alice) == expected


def test_refused_last_use_makes_the_key_check_unknown() -> None:
    key = _key("2025-01-01T00:00:00+00:00")
    alice = user(keys=[key], last_used={key["AccessKeyId"]: denied("GetAccessKeyLastUsed")})
    assert status(KEYS, alice) == "unknown"
    assert status("iam_user_access_keys_rotated_90_days", alice) == "fail"
