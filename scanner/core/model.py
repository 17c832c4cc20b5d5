"""The data every layer shares: resources, results, findings, statuses and the UNKNOWN marker.

Plain dataclasses and enums, no behaviour beyond small accessors, so that sources, the engine and
reports can all depend on this module and on nothing else of each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, NoReturn, overload


class Status(StrEnum):
    PASS = "pass"  # noqa: S105  (a status, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"
    ERROR = "error"
    SKIPPED = "skipped"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self.value]

    def at_least(self, threshold: Severity) -> bool:
        return self.rank >= threshold.rank


_SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


class UnknownValueError(Exception):
    """Raised when a check uses a value that could not be known; the engine reports `unknown`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unknown:
    """A value that cannot be known: an unresolved variable, a denied API call.

    Distinct from "absent" (None / missing key). Any attempt to *decide* on it — truth test,
    comparison, iteration, membership, attribute access — raises UnknownValueError, so a check that
    forgets to handle it reports `unknown` instead of a false pass or a false fail.
    Use `is_unknown(value)` to test for it explicitly.
    """

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def _refuse(self, *_args: object) -> NoReturn:
        raise UnknownValueError(self.reason)

    __bool__ = __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __iter__ = __len__ = __contains__ = __getitem__ = __int__ = __float__ = _refuse
    __add__ = __radd__ = __mul__ = __mod__ = _refuse

    def __hash__(self) -> int:
        return id(self)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # keep copy/pickle/introspection protocols working
            raise AttributeError(name)
        raise UnknownValueError(self.reason)

    def __getstate__(self) -> str:
        return self.reason

    def __setstate__(self, state: str) -> None:
        self.reason = state

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def __str__(self) -> str:
        return f"(unknown: {self.reason})"

    __format__ = lambda self, _spec: str(self)  # noqa: E731  (f-strings in messages must not raise)


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


class ComputedRef(str):
    """A reference to a computed attribute of another resource (`aws_kms_key.phi.arn`).

    Known to be set and non-empty, value not known until apply; its text is the address.
    """

    __slots__ = ()


def is_reference(value: object) -> bool:
    return isinstance(value, ComputedRef)


def split_root_label(resource_id: str) -> tuple[str, str]:
    """`infra:aws_s3_bucket.logs` -> ("infra", "aws_s3_bucket.logs"); a bare Terraform address
    -> ("", address). The `folder:` label comes from a scan inside a repository, or of several
    root modules. A label is a path and never holds `[` or `"`; an instance key
    (`aws_x.y["a:b"]`) may hold `:`, so only a colon before any key counts.
    """
    label, colon, address = resource_id.partition(":")
    if not colon or "[" in label or '"' in label:
        return "", resource_id
    return label, address


def terraform_address(resource_id: str) -> str:
    """A Terraform resource id as references write it (`module.m.aws_x.y`): without its label."""
    return split_root_label(resource_id)[1]


def contains_unknown(value: object) -> bool:
    """True when the value, or anything nested in it, is Unknown."""
    if value is None or isinstance(value, str | bool | int | float):
        return False  # scalars first: the Mapping ABC's check below is slow
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict | Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


@dataclass(frozen=True)
class Location:
    """Where a resource is: a file span (IaC) or an account + region (live cloud)."""

    file: str | None = None
    start_line: int | None = None
    end_line: int | None = None
    account: str | None = None
    region: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Skip:
    """An inline suppression found on a resource (or on the module block that created it)."""

    check_id: str
    reason: str
    file: str | None = None
    line: int | None = None
    # Last day the skip applies (inclusive); from then on the finding is reported again.
    expires: date | None = None


_MISSING = object()


@dataclass
class Resource:
    """One resource in canonical form: the same shape whichever source produced it."""

    type: str
    id: str
    source: str  # "terraform" | "aws" | "kubernetes"
    location: Location
    attributes: dict[str, Any]
    raw: Any = None
    skips: list[Skip] = field(default_factory=list)
    # Other blocks that define this resource (folded companions): an edit there is an edit here.
    extra_locations: list[Location] = field(default_factory=list)
    # Set when a Terraform block's count/for_each is unknown: the resource may never be created.
    # A check that reasons from the resource's existence (a name another resource refers to)
    # must treat it as undecided.
    existence: Unknown | None = None

    def get(self, path: str, default: Any = None) -> Any:
        """Dotted lookup (`versioning.enabled`, `ingress.0.from_port`).

        Returns `default` when the path is absent and the Unknown marker itself when the walk meets
        one, so the caller sees "unknown" rather than "absent".
        """
        node: Any = self.attributes
        for part in path.split("."):
            if isinstance(node, dict):  # the common case, without the Mapping ABC's slow check
                node = node.get(part, _MISSING)
            elif isinstance(node, Unknown):
                return node
            elif isinstance(node, Mapping):
                node = node.get(part, _MISSING)
            elif isinstance(node, Sequence) and not isinstance(node, str) and part.isdigit():
                index = int(part)
                node = node[index] if index < len(node) else _MISSING
            else:
                node = _MISSING
            if node is _MISSING:
                return default
        return node

    def _known(self, path: str, default: Any) -> Any:
        value = self.get(path)
        if value is None:  # absent, or null: Terraform applies the provider default
            return default
        if isinstance(value, Unknown):
            raise UnknownValueError(f"{path}: {value.reason}")
        if isinstance(value, ComputedRef):
            raise UnknownValueError(f"{path} is computed at apply time from {value}")
        return value

    def get_bool(self, path: str, default: bool) -> bool:
        """A boolean argument as Terraform reads it: `"true"`/`"false"` strings convert.

        Raises UnknownValueError for unknown or computed values (the engine reports `unknown`),
        so a value like `"false"` or a reference can never pass as truthy.
        """
        value = self._known(path, default)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise TypeError(f"{path} is {value!r}, expected a bool")

    @overload
    def get_number(self, path: str, default: float) -> float: ...
    @overload
    def get_number(self, path: str, default: None = None) -> float | None: ...

    def get_number(self, path: str, default: float | None = None) -> float | None:
        """A numeric argument as Terraform reads it: numeric strings convert."""
        value = self._known(path, default)
        if isinstance(value, bool):
            raise TypeError(f"{path} is {value!r}, expected a number")
        if isinstance(value, int | float) or value is None:
            return value
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise TypeError(f"{path} is {value!r}, expected a number") from None
            return int(number) if number.is_integer() else number
        raise TypeError(f"{path} is {value!r}, expected a number")


@dataclass(frozen=True)
class Result:
    """What a check says about one resource."""

    status: Status
    message: str

    @classmethod
    def passed(cls, message: str) -> Result:
        return cls(Status.PASS, message)

    @classmethod
    def failed(cls, message: str) -> Result:
        return cls(Status.FAIL, message)

    @classmethod
    def unknown(cls, message: str) -> Result:
        return cls(Status.UNKNOWN, message)


@dataclass(frozen=True)
class NotJudged:
    """An inventory check's answer for a resource that this kind of input cannot speak about,
    by design rather than for want of a value: AWS Backup coverage of a data store, asked of a
    Terraform configuration that manages no backup selection (coverage is then an account-wide
    property, judged on the live account). The engine makes no finding of it, neither pass nor
    unknown, and tells the user once per check and reason in a scan warning.

    `warn=False` is for a resource the check does not concern at all, decided from other
    resources (an instance outside any private subnet, for a check about private subnets):
    the check's scope, as `applies_to` is for one resource, and nothing to tell."""

    reason: str
    warn: bool = True


@dataclass(frozen=True)
class ControlRef:
    framework: str
    id: str

    def to_dict(self) -> dict[str, str]:
        return {"framework": self.framework, "id": self.id}


def fingerprint(check_id: str, resource_id: str) -> str:
    """Stable across edits that move lines: only the check and the resource identify a finding."""
    return hashlib.sha256(f"{check_id}\x00{resource_id}".encode()).hexdigest()[:32]


@dataclass
class Finding:
    check_id: str
    title: str
    severity: Severity
    status: Status
    message: str
    resource: Resource
    controls: list[ControlRef] = field(default_factory=list)
    suppression_reason: str | None = None
    # What the check said before a suppression turned it into `skipped` (SARIF reports suppressed
    # failures, not suppressed passes).
    original_status: Status | None = None
    suppressed_by: str | None = None  # "inline" (a skip on the resource) or "waiver"
    # Which scanner judged: "comply", or a second engine run as a subprocess ("checkov").
    engine: str = "comply"
    # Another engine's verdict on the same thing, kept for reference only (docs/engines.md):
    # {"engine", "check_id", "status"}.
    cross_references: list[dict[str, str]] = field(default_factory=list)

    @property
    def location(self) -> Location:
        return self.resource.location

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.check_id, self.resource.id)


@dataclass(frozen=True)
class ScanError:
    """Something the scan could not do: a file it could not parse, a check that crashed."""

    target: str
    message: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"target": self.target, "message": self.message}
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass(frozen=True)
class ScanWarning(ScanError):
    """Worth telling the user, not worth failing the run: a skip without reason, a binary file."""


@dataclass(frozen=True)
class SkippedInput:
    """An input the scan did not judge, on purpose, and why: a file that holds no object of the
    source (a Helm `values.yaml`, a `mkdocs.yml`), a Helm chart that could not be rendered, a
    Kustomize Component. Counted and listed in the report; not an error, since nothing in it is
    a resource the scan could judge as it stands."""

    target: str
    reason: str
    category: str  # a stable token: not_kubernetes, template, helm_chart, kustomize_component...

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "category": self.category, "reason": self.reason}
