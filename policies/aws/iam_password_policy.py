"""IAM account password policy strength (`aws_iam_account_password_policy`).

Defaults when an argument is absent are IAM's: minimum length 6, no character class required,
no reuse prevention, passwords never expire.
"""

from __future__ import annotations

from scanner.core.model import Resource, Result
from scanner.core.registry import check

MIN_LENGTH = 14
MIN_REUSE_PREVENTION = 24
MAX_AGE_DAYS = 90
CHARACTER_CLASSES = {
    "require_uppercase_characters": "uppercase",
    "require_lowercase_characters": "lowercase",
    "require_numbers": "numbers",
    "require_symbols": "symbols",
}
_REFERENCES = {"aws_config": ["iam-password-policy"]}


@check(
    id="iam_password_policy_min_length_14",
    title="The IAM password policy requires at least 14 characters",
    severity="medium",
    resource_types=["aws_iam_account_password_policy"],
    references={"checkov": ["CKV_AWS_10"], **_REFERENCES},
)
def iam_password_policy_min_length_14(policy: Resource) -> Result:
    """Length is what makes a password resist guessing and offline cracking; 14 characters is the
    CIS AWS Foundations benchmark minimum.

    Remediation:

        resource "aws_iam_account_password_policy" "strict" {
          minimum_password_length = 14
        }
    """
    length = policy.get_number("minimum_password_length", 6)
    if length >= MIN_LENGTH:
        return Result.passed(f"minimum_password_length is {length}")
    return Result.failed(f"minimum_password_length is {length}, below {MIN_LENGTH}")


@check(
    id="iam_password_policy_complexity_required",
    title="The IAM password policy requires upper- and lowercase letters, numbers and symbols",
    severity="medium",
    resource_types=["aws_iam_account_password_policy"],
    references={"checkov": ["CKV_AWS_11", "CKV_AWS_12", "CKV_AWS_14", "CKV_AWS_15"], **_REFERENCES},
)
def iam_password_policy_complexity_required(policy: Resource) -> Result:
    """Requiring every character class widens the search space of each password character and
    rules out the simplest dictionary passwords.

    Remediation:

        resource "aws_iam_account_password_policy" "strict" {
          require_uppercase_characters = true
          require_lowercase_characters = true
          require_numbers              = true
          require_symbols              = true
        }
    """
    missing = [label for arg, label in CHARACTER_CLASSES.items() if not policy.get_bool(arg, False)]
    if missing:
        return Result.failed(f"password policy does not require {', '.join(missing)}")
    return Result.passed("password policy requires uppercase, lowercase, numbers and symbols")


@check(
    id="iam_password_policy_reuse_prevention_24",
    title="The IAM password policy prevents reuse of the last 24 passwords",
    severity="medium",
    resource_types=["aws_iam_account_password_policy"],
    references={"checkov": ["CKV_AWS_13"], **_REFERENCES},
)
def iam_password_policy_reuse_prevention_24(policy: Resource) -> Result:
    """Without reuse prevention a forced change can cycle straight back to a leaked password.

    Remediation:

        resource "aws_iam_account_password_policy" "strict" {
          password_reuse_prevention = 24
        }
    """
    remembered = policy.get_number("password_reuse_prevention")
    if remembered is None:
        return Result.failed("password_reuse_prevention is not set: old passwords can be reused")
    if remembered >= MIN_REUSE_PREVENTION:
        return Result.passed(f"password_reuse_prevention is {remembered}")
    return Result.failed(f"password_reuse_prevention is {remembered}, below {MIN_REUSE_PREVENTION}")


@check(
    id="iam_password_policy_max_age_90_days",
    title="The IAM password policy expires passwords within 90 days",
    severity="low",
    resource_types=["aws_iam_account_password_policy"],
    references={"checkov": ["CKV_AWS_9"], **_REFERENCES},
)
def iam_password_policy_max_age_90_days(policy: Resource) -> Result:
    """A maximum age bounds how long a stolen console password stays valid. (NIST SP 800-63B
    prefers change-on-compromise; many HIPAA and SOC 2 programmes still set 90 days.)

    Remediation:

        resource "aws_iam_account_password_policy" "strict" {
          max_password_age = 90
        }
    """
    age = policy.get_number("max_password_age")
    if age is None or age == 0:
        return Result.failed("max_password_age is not set: passwords never expire")
    if age <= MAX_AGE_DAYS:
        return Result.passed(f"max_password_age is {age} days")
    return Result.failed(f"max_password_age is {age} days, above {MAX_AGE_DAYS}")
