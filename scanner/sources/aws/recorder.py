"""The live CallRecorder: every AWS call a collector makes goes through here.

It turns a failed call (AccessDenied, throttling that outlived the retries, an endpoint that does
not exist in the region, a timeout) into an error marker stored in place of the response and a
`CallError` kept for the report, so one failure never aborts the scan and never reads as "not
configured". Responses are made JSON-able here (datetimes to UTC ISO text, no ResponseMetadata),
so live normalization and snapshot normalization see byte-for-byte the same data.
"""

from __future__ import annotations

import base64
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from scanner.sources.aws.collector import CallError

T = TypeVar("T")
_worker = threading.local()
R = TypeVar("R")


def jsonable(value: Any) -> Any:
    """A response as plain JSON data; ResponseMetadata (request ids, dates) is dropped because it
    changes on every call and would make two snapshots of the same account differ."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    return value


# A call fails with these as well as botocore's own errors: an unparsable XML body raises
# ResponseParserError, which is not a BotoCoreError, and once took every resource of the
# collector in that region with it.
CALL_FAILURES: tuple[type[Exception], ...] = (ClientError, BotoCoreError, ResponseParserError)
MAX_MESSAGE = 1000


def error_details(exc: Exception) -> tuple[str, str]:
    """(code, message) of a botocore failure, without the response body.

    A parser error quotes the body it could not read, and an error response whose body does not
    parse comes back with the body as its message: neither may reach a report.
    """
    if isinstance(exc, ResponseParserError):
        return "ResponseParserError", "the response could not be parsed (invalid XML or JSON)"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "ClientError")
        return code, _without_body(str(error.get("Message") or exc))
    return type(exc).__name__, _without_body(str(exc))


def _without_body(message: str) -> str:
    text = message.strip()
    if text.startswith(("<", "{", "[")) or "\n" in text or len(text) > MAX_MESSAGE:
        return "the error response could not be read (its body is not shown)"
    return text


class CollectionLog:
    """What every recorder of a scan shares: the collection errors and the request counts.

    Thread-safe: recorders of every account and region append to it concurrently.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: list[tuple[str, CallError]] = []
        self._requests: Counter[str] = Counter()

    def add_error(self, account: str, error: CallError) -> None:
        with self._lock:
            self._errors.append((account, error))

    def errors(self) -> list[tuple[str, CallError]]:
        """(account, error) pairs in a stable order."""
        with self._lock:
            return sorted(
                self._errors,
                key=lambda item: (item[0], item[1].service, item[1].region, item[1].operation),
            )

    def count_request(self, event_name: str = "", **_kwargs: Any) -> None:
        """A botocore `before-send` handler: one HTTP request (retries and pages included)."""
        # event_name is "before-send.<service>.<Operation>"
        key = event_name.split(".", 1)[1] if "." in event_name else event_name
        with self._lock:
            self._requests[key] += 1

    @property
    def requests(self) -> int:
        with self._lock:
            return sum(self._requests.values())

    def requests_by_operation(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._requests.items()))


class Recorder:
    """The CallRecorder of one account (errors carry it), sharing a log and a fan-out pool."""

    def __init__(self, log: CollectionLog, account: str, pool: Executor | None = None) -> None:
        self.log = log
        self.account = account
        self._pool = pool

    # -- the contract ---------------------------------------------------------------------------

    def call(self, client: Any, operation: str, **params: Any) -> dict[str, Any]:
        method, api = _names(client, operation)
        try:
            response = getattr(client, method)(**params)
        except CALL_FAILURES as exc:
            return self._failed(client, api, exc)
        result: dict[str, Any] = jsonable(response)
        return result

    def paginate(
        self, client: Any, operation: str, result_key: str, **params: Any
    ) -> list[Any] | dict[str, Any]:
        method, api = _names(client, operation)
        try:
            if not client.can_paginate(method):
                return list(jsonable(getattr(client, method)(**params)).get(result_key, []))
            items: list[Any] = []
            # A failure on page n discards pages 1..n-1: a partial list would make the resources
            # on the missing pages look absent, which is exactly the silent gap to avoid.
            for page in client.get_paginator(method).paginate(**params):
                items.extend(jsonable(page.get(result_key, [])))
            return items
        except CALL_FAILURES as exc:
            return self._failed(client, api, exc)

    # -- extensions (see collector.call_optional and collector.fan_out) -------------------------

    def call_optional(
        self, client: Any, operation: str, absent_on: Iterable[str], **params: Any
    ) -> dict[str, Any] | None:
        method, api = _names(client, operation)
        try:
            response = getattr(client, method)(**params)
        except ClientError as exc:
            if error_details(exc)[0] in tuple(absent_on):
                return None
            return self._failed(client, api, exc)
        except (BotoCoreError, ResponseParserError) as exc:
            return self._failed(client, api, exc)
        result: dict[str, Any] = jsonable(response)
        return result

    def map(self, function: Callable[[T], R], items: list[T]) -> list[R]:
        # A fan-out nested in a fan-out (per user, then per access key) runs inline: workers
        # waiting for work queued behind them on the same bounded pool would deadlock.
        if self._pool is None or len(items) < 2 or getattr(_worker, "active", False):
            return [function(item) for item in items]

        def run(item: T) -> R:
            _worker.active = True
            try:
                return function(item)
            finally:
                _worker.active = False

        return list(self._pool.map(run, items))

    # -- internals ------------------------------------------------------------------------------

    def _failed(self, client: Any, api: str, exc: Exception) -> dict[str, Any]:
        code, message = error_details(exc)
        error = CallError(
            service=str(client.meta.service_model.service_name),
            operation=api,
            region=str(client.meta.region_name),
            code=code,
            message=message,
        )
        self.log.add_error(self.account, error)
        return error.as_marker()


def _names(client: Any, operation: str) -> tuple[str, str]:
    """(client method name, API operation name) from either spelling: collectors may write
    `"GetBucketEncryption"` or `"get_bucket_encryption"`."""
    mapping: dict[str, str] = client.meta.method_to_api_mapping
    if operation in mapping:
        return operation, mapping[operation]
    return xform_name(operation), operation
