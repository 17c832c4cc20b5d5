"""Redaction of secrets before anything leaves comply: snapshots, reports, evidence bundles.

The one place that decides what a secret is. Two nets, applied to every string of a structure:

- by key name (`scanner.core.secret_names`): values under keys that name a credential
  (`password`, `client_secret`, `api_token` ...), every value of an environment-variable
  container, every value of a Kubernetes Secret's `data`/`stringData`, the value of a
  `{Key|Name: <credential name>, Value: ...}` pair (AWS tags, env entries, probe `httpHeaders`),
  the value after a `--password`-style item of an argument list, an SSM SecureString's value,
  and whole scripts and object copies (`user_data`, `last-applied-configuration`);
- by value shape (`scanner.core.secret_text`): AWS keys, PEM private keys, JWTs, tokens,
  credentials in URLs, `password=...` assignments inside any string.

Checks judge the unredacted model; only what is written is redacted. No check reads a secret's
value, only whether something is configured, and a check that finds a secret says where, not what.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from scanner.core.secret_names import (
    ENVIRONMENT_KEYS,
    KEY_NAME_RULE,
    WHOLE_VALUE_KEYS,
    is_secret_key,
    squash,
)
from scanner.core.secret_text import REDACTED, looks_like_secret, redact_text, shape_rules

__all__ = [
    "KEY_NAME_RULE",
    "REDACTED",
    "is_secret_key",
    "looks_like_secret",
    "redact",
    "redact_text",
    "redaction_rules",
]

_PAIR_NAMES = ("Key", "key", "Name", "name")
_PAIR_VALUES = ("Value", "value")
_SECURE_STRING = "SecureString"
# `--password`, `-p`-less long flags: the next item of an argument list is the secret.
_FLAG = re.compile(r"-{1,2}[A-Za-z0-9_.-]{1,80}")


def redaction_rules() -> list[str]:
    """What redaction does, in words: listed in evidence metadata so an auditor knows."""
    return [
        KEY_NAME_RULE,
        "the whole value of user_data scripts and kubectl last-applied-configuration annotations",
        "every value of environment-variable containers (Variables, environment, env)",
        "every value of Kubernetes Secret data and stringData",
        "the value of {Key|Name, Value} pairs whose name names a credential (tags, env entries, "
        "HTTP headers)",
        "the item after a --flag naming a credential in argument and command lists",
        "the value of SSM SecureString parameters",
        *shape_rules(),
    ]


def _redact_environment(value: Any) -> Any:
    if isinstance(value, Mapping):
        # {"Variables": {"NAME": "value"}} or {"NAME": "value"}
        return {
            str(k): _redact_environment(v)
            if isinstance(v, Mapping | list)
            else (REDACTED if _is_set(v) else v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, Mapping) and ("value" in item or "Value" in item):
                out.append(
                    {
                        str(k): (REDACTED if k in _PAIR_VALUES and _is_set(v) else redact(v))
                        for k, v in item.items()
                    }
                )
            else:
                out.append(redact(item))
        return out
    return value


def _redact_kubernetes_secret(value: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(value)
    for field in ("data", "stringData"):
        if isinstance(out.get(field), Mapping):
            out[field] = {str(k): REDACTED for k in out[field]}
    return out


def _pair_is_secret(value: Mapping[str, Any]) -> bool:
    """{Key: api_token, Value: ...}, {name: Authorization, value: ...}, or a SecureString."""
    for name_key in _PAIR_NAMES:
        name = value.get(name_key)
        if isinstance(name, str) and is_secret_key(name):
            return True
    return value.get("type") == _SECURE_STRING or value.get("Type") == _SECURE_STRING


def _is_set(item: Any) -> bool:
    """Not null and not "" (an Unknown is set as far as redaction cares: never compare it)."""
    return item is not None and not (isinstance(item, str) and item == "")


def _redact_mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    if value.get("kind") == "Secret":
        value = _redact_kubernetes_secret(value)
    secret_pair = any(k in value for k in _PAIR_VALUES) and _pair_is_secret(value)
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = _redact_key(str(key))
        kind = _key_kind(name)
        if secret_pair and name in _PAIR_VALUES and _is_set(item):
            out[name] = REDACTED
        elif kind == _ENVIRONMENT and isinstance(item, Mapping | list):
            out[name] = _redact_environment(item)
        elif kind == _WHOLE and _is_set(item):
            out[name] = REDACTED
        elif isinstance(item, str):
            out[name] = REDACTED if item and kind == _SECRET else redact(item)
        elif item is None or isinstance(item, bool | int | float):
            out[name] = item  # the common leaves, without a call
        else:
            out[name] = redact(item)
    return out


_PLAIN, _ENVIRONMENT, _SECRET, _WHOLE = range(4)


@lru_cache(maxsize=8192)  # key names repeat across every resource of a scan
def _key_kind(name: str) -> int:
    """What a key name says about its value, decided once per name."""
    squashed = squash(name)
    if squashed in ENVIRONMENT_KEYS:
        return _ENVIRONMENT
    if squashed in WHOLE_VALUE_KEYS:
        return _WHOLE
    return _SECRET if is_secret_key(name) else _PLAIN


@lru_cache(maxsize=8192)  # key names repeat across every resource of a scan
def _redact_key(key: str) -> str:
    """A key is written too: one that is itself a credential (an access key id used as a map
    key) is redacted like any string."""
    return redact_text(key)


def _redact_list(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    secret_follows = False
    for item in value:
        if secret_follows and isinstance(item, str) and not item.startswith("-"):
            out.append(REDACTED)
        else:
            out.append(redact(item))
        # ["--db-password", "hunter2"]: the flag names the secret, the next item is it.
        secret_follows = (
            isinstance(item, str) and _FLAG.fullmatch(item) is not None and is_secret_key(item)
        )
    return out


_CACHED_LENGTH = 1024


@lru_cache(maxsize=65536)
def _redact_short(value: str) -> str:
    """`redact_text`, remembered: inventories repeat the same short strings (labels, images,
    ports, names) over and over; 30,000 Kubernetes objects hold 1.4 million strings, 6,000 of
    them distinct. Long strings (scripts, certificates) rarely repeat and are not kept."""
    return redact_text(value)


def redact(value: Any) -> Any:
    """A copy of `value` with every credential in it replaced by `<redacted>`.

    Strings keep their text around a credential-shaped part; mappings and lists are copied.
    Other values (numbers, dates, markers) are returned as they are.
    """
    if isinstance(value, str):
        return _redact_short(value) if len(value) <= _CACHED_LENGTH else redact_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value  # the common leaves, before the (slow) abstract-base-class checks below
    if isinstance(value, Mapping):
        return _redact_mapping(value)
    if isinstance(value, list | tuple):
        return _redact_list(value)
    return value
