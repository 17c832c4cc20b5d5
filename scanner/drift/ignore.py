"""`drift.ignore`: live resources that no Terraform state is expected to manage.

AWS creates some resources itself (the default VPC of every region and the default security group
of every VPC, service-linked roles, account-level settings that exist whether or not anyone set
them); reporting them as unmanaged would bury the real ClickOps. The shipped defaults cover those;
`.comply.yaml` adds rules, and `ignore_defaults: false` turns the defaults off:

```yaml
drift:
  ignore:
    - "arn:aws:iam::*:role/OrganizationAccountAccessRole"   # a glob on the live id (ARN)
    - type: aws_s3_bucket                                    # every key given must match
      id: "arn:aws:s3:::cdk-*"
    - type: aws_security_group
      attributes: {name: "eks-cluster-sg-*"}                 # globs on top-level attributes
```

An ignored resource is only left out of the unmanaged list: its own checks still run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from scanner.core.model import Resource


class IgnoreRuleError(Exception):
    """A `drift.ignore` rule is malformed; the message says which and why."""


@dataclass(frozen=True)
class IgnoreRule:
    type: str = "*"
    id: str = "*"
    attributes: dict[str, str] = field(default_factory=dict)
    reason: str = ""

    def matches(self, resource: Resource) -> bool:
        if not fnmatchcase(resource.type, self.type) or not fnmatchcase(resource.id, self.id):
            return False
        for key, pattern in self.attributes.items():
            value = resource.attributes.get(key)
            if isinstance(value, bool):
                value = str(value).lower()
            if not isinstance(value, str | int) or not fnmatchcase(str(value), pattern):
                return False
        return True

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "attributes": dict(self.attributes),
            "reason": self.reason,
        }


DEFAULT_IGNORE_RULES: tuple[IgnoreRule, ...] = (
    IgnoreRule("aws_vpc", attributes={"is_default": "true"}, reason="the default VPC of a region"),
    IgnoreRule(
        "aws_security_group",
        attributes={"name": "default"},
        reason="the default security group AWS creates in every VPC",
    ),
    IgnoreRule("aws_kms_key", attributes={"key_manager": "AWS"}, reason="aws/* managed keys"),
    IgnoreRule(
        "aws_iam_role", "arn:*:iam::*:role/aws-service-role/*", reason="service-linked roles"
    ),
    IgnoreRule(
        "aws_iam_role",
        "arn:*:iam::*:role/aws-reserved/*",
        reason="roles IAM Identity Center creates (AWSReservedSSO_*)",
    ),
    IgnoreRule("aws_iam_policy", "arn:*:iam::aws:policy/*", reason="AWS managed policies"),
    IgnoreRule(id="*:root", reason="the root user exists in every account"),
    IgnoreRule(id="*:account-password-policy", reason="an account setting, always present"),
    IgnoreRule(id="*:ebs-encryption-by-default", reason="a region setting, always present"),
    IgnoreRule(id="*:account-public-access-block", reason="an account setting, always present"),
    IgnoreRule(id="*:detector/(none)", reason="no GuardDuty detector: nothing to manage"),
)


def _rule(item: Any, where: str) -> IgnoreRule:
    if isinstance(item, str):
        return IgnoreRule(id=item, reason="drift.ignore")
    if not isinstance(item, Mapping):
        raise IgnoreRuleError(f"{where}: a rule is a string (an id glob) or a mapping")
    unknown = set(item) - {"type", "id", "attributes", "reason"}
    if unknown:
        raise IgnoreRuleError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    if not set(item) & {"type", "id", "attributes"}:
        raise IgnoreRuleError(f"{where}: give at least one of type, id, attributes")
    attributes = item.get("attributes") or {}
    if not isinstance(attributes, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str | bool | int) for k, v in attributes.items()
    ):
        raise IgnoreRuleError(f"{where}: attributes maps attribute names to glob strings")
    for key in ("type", "id", "reason"):
        if not isinstance(item.get(key, ""), str):
            raise IgnoreRuleError(f"{where}: {key} must be a string")
    return IgnoreRule(
        type=item.get("type", "*"),
        id=item.get("id", "*"),
        attributes={
            k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in attributes.items()
        },
        reason=item.get("reason", "drift.ignore"),
    )


def ignore_rules(settings: Any, where: str) -> list[IgnoreRule]:
    """The rules in effect for the `drift` mapping of a configuration file (None: defaults)."""
    if settings is None:
        return list(DEFAULT_IGNORE_RULES)
    if not isinstance(settings, Mapping):
        raise IgnoreRuleError(f"{where}: drift must be a mapping")
    unknown = set(settings) - {"ignore", "ignore_defaults"}
    if unknown:
        raise IgnoreRuleError(
            f"{where}: drift: unknown key(s) {', '.join(sorted(map(str, unknown)))} "
            "(known: ignore, ignore_defaults)"
        )
    defaults = settings.get("ignore_defaults", True)
    if not isinstance(defaults, bool):
        raise IgnoreRuleError(f"{where}: drift.ignore_defaults must be true or false")
    items = settings.get("ignore") or []
    if not isinstance(items, list):
        raise IgnoreRuleError(f"{where}: drift.ignore must be a list of rules")
    rules = [_rule(item, f"{where}: drift.ignore[{i}]") for i, item in enumerate(items)]
    return [*(DEFAULT_IGNORE_RULES if defaults else ()), *rules]


def ignored_by(resource: Resource, rules: list[IgnoreRule]) -> IgnoreRule | None:
    return next((rule for rule in rules if rule.matches(resource)), None)
