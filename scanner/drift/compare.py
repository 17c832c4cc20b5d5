"""Compare what the configuration declares with what runs, attribute by attribute.

Which attributes: those the checks read. Every check of the resource's type is run on the declared
resource and on the live one, with the attributes wrapped so that each top-level key a check
reads is recorded; the union over both sides is the set compared. An attribute no check reads
cannot change a verdict and is not compared (tags, timestamps, computed ids). Running the checks
on both sides also gives the verdicts, so a drift that turns a passing check into a failing one
("encryption declared, live bucket unencrypted") is known as such.

How values compare (`matches`): a declared value that is Unknown or computed at apply time is not
drift; an attribute the configuration does not set takes the provider default (PROVIDER_DEFAULTS)
or, without a known default, is not compared; a declared mapping compares only the keys it sets
(the others are provider defaults or computed); lists compare as multisets (rule order carries no
meaning); `"true"`/`"false"` strings are booleans; on the live side absent, null, false, `""` and
empty collections are one value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from scanner.core.model import (
    Resource,
    Result,
    Status,
    Unknown,
    UnknownValueError,
    contains_unknown,
    is_reference,
)
from scanner.core.registry import CheckSpec

# (type, attribute) -> the value AWS applies when the configuration does not set it.
PROVIDER_DEFAULTS: dict[tuple[str, str], Any] = {
    ("aws_s3_bucket", "versioning"): {"enabled": False},
    ("aws_s3_bucket", "logging"): None,
    ("aws_kms_key", "enable_key_rotation"): False,
    ("aws_db_instance", "storage_encrypted"): False,
    ("aws_db_instance", "deletion_protection"): False,
    ("aws_db_instance", "publicly_accessible"): False,
    ("aws_ebs_volume", "encrypted"): False,
    ("aws_cloudtrail", "enable_log_file_validation"): False,
}
_DEFAULT_MISSING = object()
_NUMBER = re.compile(r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$")


def _without_owner_grant(grants: Any) -> Any:
    """The bucket owner's FULL_CONTROL grant is implied by every canned ACL Terraform declares
    (`private` is exactly that grant); the live grant list shows it, the declared one does not."""
    if not isinstance(grants, list):
        return grants
    return [
        g
        for g in grants
        if not (
            isinstance(g, Mapping)
            and g.get("grantee_type") == "CanonicalUser"
            and g.get("permission") == "FULL_CONTROL"
        )
    ]


# (type, attribute) -> how a live value is put in the shape a declared one has before comparing.
LIVE_NORMALIZERS: dict[tuple[str, str], Any] = {
    ("aws_s3_bucket", "acl_grants"): _without_owner_grant,
}


class _Tracing(dict[str, Any]):
    """A resource's attributes that remember which top-level keys were read."""

    def __init__(self, data: Mapping[str, Any], seen: set[str]) -> None:
        super().__init__(data)
        self.seen = seen

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.seen.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.seen.add(key)
        return super().__contains__(key)

    def _all(self) -> None:
        self.seen.update(super().keys())

    def items(self) -> Any:
        self._all()
        return super().items()

    def values(self) -> Any:
        self._all()
        return super().values()

    def keys(self) -> Any:
        self._all()
        return super().keys()

    def __iter__(self) -> Any:
        self._all()
        return super().__iter__()


def _run(spec: CheckSpec, resource: Resource) -> Result:
    try:
        result = spec.function(resource)
    except UnknownValueError as exc:
        return Result.unknown(f"could not evaluate: {exc.reason}")
    except Exception as exc:  # a broken check must not stop the comparison
        return Result(Status.ERROR, f"check {spec.id} raised {type(exc).__name__}")
    return result if isinstance(result, Result) else Result(Status.ERROR, "not a Result")


def _applies(spec: CheckSpec, resource: Resource) -> bool:
    if spec.applies_to is None:
        return True
    try:
        return bool(spec.applies_to(resource))
    except Exception:
        return True


def evaluate_traced(
    resource: Resource, specs: Iterable[CheckSpec], seen: set[str]
) -> dict[str, Status]:
    traced = replace(resource, attributes=_Tracing(resource.attributes, seen))
    return {spec.id: _run(spec, traced).status for spec in specs if _applies(spec, traced)}


def _plain_live(value: Any) -> Any:
    """Absent, null, false, "" and empty collections as one value (None); Unknown stays."""
    if isinstance(value, Unknown):
        return value
    if value is None or value is False or value == "" or value == [] or value == {}:
        return None
    return value


def _scalar(value: Any) -> Any:
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value)  # Terraform state and HCL write numbers as strings at times
    return value


def matches(declared: Any, live: Any) -> bool:
    """Whether the live value is what the declared value says (module docstring for the rules).

    Unknown markers are met on the way down (one walk), not searched for at every level. Equal
    values match under every rule below, so equality (most attributes, most of the time) is
    answered first without the walk."""
    if declared is None or isinstance(declared, Unknown) or is_reference(declared):
        return True
    if isinstance(live, Unknown):
        return True  # the live value could not be read: that is unknown, never drift
    try:
        if declared == live:
            return True
    except UnknownValueError:  # an Unknown nested on either side refuses ==: walk
        pass
    if isinstance(declared, Mapping):
        if live is not None and not isinstance(live, Mapping):
            return False
        live_map = live if live is not None else {}
        return all(matches(v, live_map.get(k)) for k, v in declared.items())
    if isinstance(declared, list | tuple):
        if live is not None and not isinstance(live, list | tuple):
            return False
        wanted = [item for item in declared if item is not None]
        remaining = [item for item in (live or []) if item is not None]
        if len(wanted) != len(remaining):
            return False
        for item in wanted:
            hit = next((i for i, other in enumerate(remaining) if matches(item, other)), None)
            if hit is None:
                return False
            remaining.pop(hit)
        return True
    if _plain_live(declared) is None:
        return _plain_live(live) is None
    return bool(_scalar(declared) == _scalar(live))


@dataclass(frozen=True)
class AttributeDrift:
    attribute: str
    declared: Any
    live: Any


@dataclass(frozen=True)
class Comparison:
    compared: tuple[str, ...]
    drifted: tuple[AttributeDrift, ...]
    not_compared: tuple[str, ...]  # declared unknown, or no declared value nor default
    declared_verdicts: dict[str, Status]
    live_verdicts: dict[str, Status]

    @property
    def worsened(self) -> list[str]:
        """Checks that pass as declared and fail as live: the drift broke a control."""
        return sorted(
            check
            for check, status in self.declared_verdicts.items()
            if status is Status.PASS and self.live_verdicts.get(check) is Status.FAIL
        )

    @property
    def improved(self) -> list[str]:
        return sorted(
            check
            for check, status in self.declared_verdicts.items()
            if status is Status.FAIL and self.live_verdicts.get(check) is Status.PASS
        )


def compare(declared: Resource, live: Resource, specs: list[CheckSpec]) -> Comparison:
    seen: set[str] = set()
    declared_verdicts = evaluate_traced(declared, specs, seen)
    live_verdicts = evaluate_traced(live, specs, seen)
    drifted: list[AttributeDrift] = []
    compared: list[str] = []
    not_compared: list[str] = []
    for key in sorted(seen):
        value = declared.attributes.get(key)
        if value is None:
            default = PROVIDER_DEFAULTS.get((declared.type, key), _DEFAULT_MISSING)
            if default is _DEFAULT_MISSING:
                if key in live.attributes and _plain_live(live.attributes.get(key)) is not None:
                    not_compared.append(key)
                continue
            value = default
        if contains_unknown(value) or is_reference(value):
            not_compared.append(key)
            continue
        compared.append(key)
        live_value = live.attributes.get(key)
        normalizer = LIVE_NORMALIZERS.get((declared.type, key))
        if normalizer is not None:
            live_value = normalizer(live_value)
        if value is None:
            if _plain_live(live_value) is not None and not contains_unknown(live_value):
                drifted.append(AttributeDrift(key, None, live_value))
        elif not matches(value, live_value):
            drifted.append(AttributeDrift(key, value, live_value))
    return Comparison(
        tuple(compared), tuple(drifted), tuple(not_compared), declared_verdicts, live_verdicts
    )
