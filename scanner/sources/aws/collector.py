"""The contract between AWS collectors (fetch) and normalizers (judge-ready resources).

Collection and normalization are separate so that a saved snapshot re-normalizes offline into
exactly the resources a live run produced:

- a **collector** calls read-only AWS APIs through a `CallRecorder` and returns plain JSON-able
  data (`RawService`); a call that fails is stored *in place of its response* as an error marker
  (`{"__error__": {...}}`), never dropped;
- a **normalizer** turns a `RawService` into canonical `Resource`s (docs/resource-schema.md); where
  the data holds an error marker it writes an `Unknown` naming the failed call, so checks on it
  report `unknown`, never pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from scanner.core.model import Resource, Unknown
from scanner.sources.policy_documents import canonical_policy, decode_policy_text

ERROR_KEY = "__error__"


@dataclass(frozen=True)
class CallError:
    service: str
    operation: str
    region: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "service": self.service,
            "operation": self.operation,
            "region": self.region,
            "code": self.code,
            "message": self.message,
        }

    def as_marker(self) -> dict[str, Any]:
        """What a collector stores where the response would have been."""
        return {ERROR_KEY: self.to_dict()}


def error_in(value: Any) -> dict[str, str] | None:
    """The error marker's details when `value` is one, else None."""
    if isinstance(value, Mapping) and ERROR_KEY in value:
        details = value[ERROR_KEY]
        return dict(details) if isinstance(details, Mapping) else {"message": str(details)}
    return None


def unknown_from(value: Any) -> Unknown | None:
    """An Unknown naming the failed call when `value` is an error marker."""
    details = error_in(value)
    if details is None:
        return None
    call = f"{details.get('service', '?')}:{details.get('operation', '?')}"
    return Unknown(f"{call} failed in {details.get('region', '?')}: {details.get('code', 'error')}")


class CallRecorder(Protocol):
    """How a collector calls AWS: read-only operations, paginated where AWS paginates.

    `call` and `paginate` return the response (for `paginate`, the concatenated items under
    `result_key`), or an error marker dict (see `CallError.as_marker`) when the call failed after
    retries. Every error is also kept for the report's collection errors.
    """

    def call(self, client: Any, operation: str, **params: Any) -> dict[str, Any]: ...

    def paginate(
        self, client: Any, operation: str, result_key: str, **params: Any
    ) -> list[Any] | dict[str, Any]: ...


@dataclass
class RawService:
    """What one collector gathered in one account and region: the unit of a snapshot."""

    service: str  # the collector's name, e.g. "s3", "ec2", "rds"
    account: str
    region: str  # "global" for global services
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "account": self.account,
            "region": self.region,
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> RawService:
        return cls(
            service=str(value["service"]),
            account=str(value["account"]),
            region=str(value["region"]),
            data=dict(value["data"]),
        )


ClientFactory = Callable[[str, str], Any]  # (boto3 service name, region) -> client


@dataclass(frozen=True)
class Collector:
    """One service's collection and normalization, with the IAM actions it needs."""

    name: str
    actions: tuple[str, ...]  # IAM actions its calls need, for `comply aws permissions`
    scope: Literal["regional", "global"]
    collect: Callable[[ClientFactory, CallRecorder, str, str], dict[str, Any]]
    # (clients, recorder, account, region) -> RawService.data
    normalize: Callable[[RawService], Iterable[Resource]]
    resource_types: tuple[str, ...] = ()  # canonical types it produces (coverage matrix)


# --- Helpers every collector may use (additions to the contract; nothing above changed) -------


def partition_for(region: str) -> str:
    """The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov`, ...)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def call_optional(
    recorder: CallRecorder,
    client: Any,
    operation: str,
    absent_on: Iterable[str],
    **params: Any,
) -> dict[str, Any] | None:
    """`recorder.call`, except that the error codes in `absent_on` mean "not configured": None.

    GetBucketPolicy answers NoSuchBucketPolicy when a bucket has no policy; that is a fact about
    the bucket, not a collection error, so it must neither reach the report's errors nor become
    Unknown. Recorders that implement `call_optional` themselves (the live one does) are asked
    directly so that the expected error is never recorded.
    """
    codes = tuple(absent_on)
    own = getattr(recorder, "call_optional", None)
    if own is not None:
        result: dict[str, Any] | None = own(client, operation, codes, **params)
        return result
    response = recorder.call(client, operation, **params)
    details = error_in(response)
    if details is not None and details.get("code") in codes:
        return None
    return response


_T = TypeVar("_T")
_R = TypeVar("_R")
_K = TypeVar("_K")


def fan_out(recorder: CallRecorder, function: Callable[[_T], _R], items: Iterable[_T]) -> list[_R]:
    """`[function(item) for item in items]`, run concurrently when the recorder offers a pool.

    Per-resource calls (seven per S3 bucket) dominate a scan's wall time under latency; the live
    recorder runs them on a bounded worker pool of its own (never the region x service pool, so a
    collector waiting for its items cannot starve them). Order is preserved.
    """
    own = getattr(recorder, "map", None)
    if own is not None:
        mapped: list[_R] = own(function, list(items))
        return mapped
    return [function(item) for item in items]


def fan_out_by_key(
    recorder: CallRecorder, function: Callable[[_K], _R], keys: Iterable[_K]
) -> dict[_K, _R]:
    """`{key: function(key)}` for per-resource calls (describe each listed item), run as
    `fan_out` runs them; the keys' order is kept, so snapshots stay byte-identical."""
    listed = list(keys)
    return dict(zip(listed, fan_out(recorder, function, listed), strict=True))


def parse_policy(value: Any) -> dict[str, Any] | Unknown | None:
    """A policy document in the canonical shape of docs/resource-schema.md.

    Accepts what AWS returns: a dict (botocore already decodes IAM documents), a JSON string
    (S3, KMS, SNS, SQS policies) or a URL-encoded JSON string (raw IAM). `Statement` becomes a list
    and each statement's Action/NotAction/Resource/NotResource a list. Empty is None; anything
    unparseable is Unknown, so a check never passes on a policy it could not read.
    """
    from urllib.parse import unquote

    if value is None or isinstance(value, Unknown):
        return value
    marker = unknown_from(value)
    if marker is not None:
        return marker
    if isinstance(value, str):
        text = value.strip()
        value = decode_policy_text(unquote(text) if text.startswith("%") else text)
        if value is None or isinstance(value, Unknown):
            return value
    return canonical_policy(value)
