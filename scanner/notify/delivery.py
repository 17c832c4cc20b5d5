"""Posting JSON to a webhook, retried with exponential backoff.

Retried: connection failures, timeouts, 429 (honouring Retry-After, capped) and 5xx. Not
retried: other 4xx (a wrong or revoked URL will not get better). The outcome is returned, never
raised: a notification that could not be delivered is a warning, and the stored run stays.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scanner import __version__
from scanner.notify.targets import NotifyTarget

ATTEMPTS = 4
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 30.0
TIMEOUT_S = 10.0
MAX_BODY_BYTES = 10_000_000


@dataclass(frozen=True)
class Delivery:
    target: NotifyTarget
    delivered: bool
    attempts: int
    problem: str | None = None  # why it was not delivered (no URL in it)

    def warning(self) -> str | None:
        if self.delivered:
            return None
        return (
            f"{self.target.shown} notification not delivered after {self.attempts} "
            f"attempt(s): {self.problem}; the run is stored"
        )


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    value = error.headers.get("Retry-After") if error.headers else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def post_json(
    target: NotifyTarget,
    payload: dict[str, Any],
    *,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = TIMEOUT_S,
) -> Delivery:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    if len(body) > MAX_BODY_BYTES:
        return Delivery(target, False, 0, f"payload of {len(body)} bytes is too large")
    problem = "not attempted"
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(  # noqa: S310  (the scheme was checked: http or https)
            target.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": f"comply/{__version__}",
            },
        )
        delay = min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (attempt - 1))
        delay *= random.uniform(0.8, 1.2)  # noqa: S311  (jitter, not crypto)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                response.read(65536)
            return Delivery(target, True, attempt)
        except urllib.error.HTTPError as error:
            problem = f"HTTP {error.code}"
            if error.code != 429 and error.code < 500:
                return Delivery(target, False, attempt, problem)
            asked = _retry_after(error) if error.code == 429 else None
            if asked is not None:
                delay = min(MAX_DELAY_S, asked)
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            problem = f"cannot connect ({reason})"
        if attempt < attempts:
            sleep(delay)
    return Delivery(target, False, attempts, problem)
