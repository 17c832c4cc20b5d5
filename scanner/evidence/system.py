"""The `system:` section of .comply.yaml: what the evidence is about, and which controls do not
apply to it (with who decided and why).

```yaml
system:
  name: Patient portal
  description: Web portal where patients read results.
  boundaries: The portal's AWS accounts and EKS cluster; the corporate network is out of scope.
  environments: [production, staging]
  accounts: ["123456789012"]
  clusters: [portal-prod]
  repositories: [github.com/example/portal-infra]
  subservice_organizations: [AWS (IaaS, carved out)]
  categories: [security, availability]   # SOC 2 Trust Services Categories in scope
  not_applicable:
    - control: hipaa:164.308(a)(4)(ii)(A)
      justification: The organisation contains no health care clearinghouse.
      approver: ciso@example.com
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.compliance.catalog import Catalog, Scope
from scanner.evidence.errors import EvidenceError

LIST_FIELDS = (
    "environments",
    "accounts",
    "clusters",
    "repositories",
    "subservice_organizations",
    "categories",
)
TEXT_FIELDS = ("name", "description", "boundaries")
SOC2_CATEGORIES = (
    "security",
    "availability",
    "processing_integrity",
    "confidentiality",
    "privacy",
)


@dataclass(frozen=True)
class NotApplicable:
    framework: str
    control: str
    justification: str
    approver: str


@dataclass(frozen=True)
class SystemDescription:
    name: str
    description: str = ""
    boundaries: str = ""
    environments: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    repositories: tuple[str, ...] = ()
    subservice_organizations: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # SOC 2 categories in scope; empty: all
    not_applicable: tuple[NotApplicable, ...] = ()

    def not_applicable_of(self, framework: str, control: str) -> NotApplicable | None:
        return next(
            (n for n in self.not_applicable if (n.framework, n.control) == (framework, control)),
            None,
        )


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise EvidenceError(f"{where} must be text")
    return str(value)


def _list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise EvidenceError(f"{where} must be a list of strings")
    return tuple(str(v) for v in value)


def _not_applicable(value: Any, where: str) -> tuple[NotApplicable, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise EvidenceError(f"{where} must be a list")
    out = []
    for n, entry in enumerate(value, 1):
        here = f"{where} entry {n}"
        if not isinstance(entry, Mapping):
            raise EvidenceError(f"{here} must be a mapping (control, justification, approver)")
        control = _text(entry.get("control"), f"{here}: control")
        framework, sep, control_id = control.partition(":")
        if not sep or not framework or not control_id:
            raise EvidenceError(f"{here}: control must be FRAMEWORK:ID, e.g. hipaa:164.308(a)(1)")
        justification = _text(entry.get("justification"), f"{here}: justification").strip()
        approver = _text(entry.get("approver"), f"{here}: approver").strip()
        if not justification or not approver:
            raise EvidenceError(
                f"{here} ({control}): a control is not applicable only with a justification "
                "and an approver"
            )
        out.append(NotApplicable(framework, control_id, justification, approver))
    return tuple(out)


def parse_system(value: Any, where: str = ".comply.yaml: system") -> SystemDescription:
    if not isinstance(value, Mapping):
        raise EvidenceError(f"{where} must be a mapping")
    unknown = sorted(set(map(str, value)) - {*LIST_FIELDS, *TEXT_FIELDS, "not_applicable"})
    if unknown:
        raise EvidenceError(f"{where}: unknown key {unknown[0]!r}")
    name = _text(value.get("name"), f"{where}: name").strip()
    if not name:
        raise EvidenceError(f"{where}: name is required")
    lists = {key: _list(value.get(key), f"{where}: {key}") for key in LIST_FIELDS}
    bad = [c for c in lists["categories"] if c not in SOC2_CATEGORIES]
    if bad:
        raise EvidenceError(
            f"{where}: categories: unknown {bad[0]!r} (known: {', '.join(SOC2_CATEGORIES)})"
        )
    return SystemDescription(
        name=name,
        description=_text(value.get("description"), f"{where}: description"),
        boundaries=_text(value.get("boundaries"), f"{where}: boundaries"),
        not_applicable=_not_applicable(value.get("not_applicable"), f"{where}: not_applicable"),
        **lists,
    )


# ---------------------------------------------------------------------------------------------
# What both exports (point in time and period) do with the system description


def export_scope(framework: str, system: SystemDescription | None) -> Scope:
    """The controls a bundle of `framework` covers: for SOC 2 only the in-scope categories."""
    return Scope(frameworks=(framework,), categories=system.categories if system else ())


def check_not_applicable(system: SystemDescription | None, catalog: Catalog) -> None:
    """Every control marked not applicable must exist: a typo must not leave one unmarked."""
    if system is None:
        return
    known = {(c.framework, c.id) for c in catalog.controls()}
    for entry in system.not_applicable:
        if (entry.framework, entry.control) not in known:
            raise EvidenceError(
                f".comply.yaml: system: not_applicable: no control "
                f"{entry.framework}:{entry.control} in the catalog"
            )


def not_applicable_reason(
    system: SystemDescription | None, framework: str, control_id: str, failing: str = ""
) -> str | None:
    """Why a control the system's owners marked not applicable is so (justification and
    approver), or None when it is not marked. `failing` ("2 failing findings") is said too:
    a decision never hides what the checks found."""
    entry = system.not_applicable_of(framework, control_id) if system else None
    if entry is None:
        return None
    reason = f"not applicable: {entry.justification} (approved by {entry.approver})"
    if failing:
        reason += f"; note: {failing} of its checks"
    return reason
