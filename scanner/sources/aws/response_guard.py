"""botocore event handlers that keep a live scan honest and bounded.

- A JSON body that does not parse is, for botocore, `{"message": <body>}`: an *empty success*.
  Secrets, queues and clusters would vanish from the inventory without a word. `reject_garbage_json`
  (before-parse) refuses such a 2xx response; the recorder stores the failure as a collection
  error in place of the response, so every check that depends on it is unknown.
- `ScanDeadline` (before-send) fails every request sent after the scan's deadline at once: a
  stalled endpoint costs at most the deadline, not retries x read timeout per call.

Error messages never carry the response body (it may hold anything, secrets included).
"""

from __future__ import annotations

import json
import time
from typing import Any

from botocore.exceptions import BotoCoreError

JSON_PROTOCOLS = frozenset({"json", "rest-json"})


class MalformedResponseError(BotoCoreError):  # type: ignore[misc]
    fmt = "the {operation} response (HTTP {status}) is not valid JSON; not read"


class ShapeMismatchError(BotoCoreError):  # type: ignore[misc]
    fmt = "the {operation} response (HTTP {status}) does not have its documented shape: {why}"


class DeadlineExceededError(BotoCoreError):  # type: ignore[misc]
    fmt = "not called: the scan's deadline of {seconds:g} s had passed (--deadline)"


def reject_garbage_json(operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
    """A `before-parse` handler: a 2xx JSON-protocol response must be a JSON object."""
    protocol = operation_model.service_model.resolved_protocol
    status = int(response_dict.get("status_code") or 0)
    if protocol not in JSON_PROTOCOLS or not 200 <= status < 300:
        return
    if operation_model.has_streaming_output or operation_model.has_event_stream_output:
        return
    body = response_dict.get("body") or b""
    if not body.strip():
        return  # an operation without output answers an empty body
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        parsed = None
    if not isinstance(parsed, dict):
        raise MalformedResponseError(operation=operation_model.name, status=status)
    why = shape_mismatch(parsed, operation_model.output_shape)
    if why is not None:
        raise ShapeMismatchError(operation=operation_model.name, status=status, why=why)


# botocore shape type -> the JSON types a body may hold for it (top level only: deeper levels
# are the parser's business, and a wrong top level is what turns into an empty success).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "list": (list,),
    "structure": (dict,),
    "map": (dict,),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
}


def shape_mismatch(body: dict[str, Any], shape: Any) -> str | None:
    """Why a JSON body cannot be the operation's output, or None.

    A non-empty body none of whose keys the output shape knows (a proxy's `{"error": ...}`) reads
    as an empty success to botocore; so does a list member that is not a list.
    """
    if shape is None or not body:
        return None
    members = {
        member.serialization.get("name", name): member
        for name, member in shape.members.items()
        if member.serialization.get("location") in (None, "body")
    }
    if members and not any(key in members for key in body):
        return "none of its keys is a field of the response"
    for key, value in body.items():
        member = members.get(key)
        if member is None or value is None:
            continue
        expected = _JSON_TYPES.get(member.type_name)
        if expected is None:
            continue
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            return f"{key} is a {type(value).__name__}, not a {member.type_name}"
    return None


class ScanDeadline:
    """A `before-send` handler failing every request once `seconds` have passed since start."""

    def __init__(self, seconds: float, clock: Any = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._ends_at = clock() + seconds

    @property
    def passed(self) -> bool:
        return bool(self._clock() >= self._ends_at)

    def __call__(self, **_: Any) -> None:
        if self.passed:
            raise DeadlineExceededError(seconds=self.seconds)
