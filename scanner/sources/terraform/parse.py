"""Parse file text into python-hcl2's structure: in parallel when there are many files, cached by
content hash so an unchanged file is never parsed twice (the cache: parse_cache.py)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from scanner.sources.terraform.parse_cache import (
    CACHE_FORMAT_VERSION,
    HCL2_VERSION,
    ParseCache,
    ParseOutcome,
)
from scanner.sources.terraform.tfjson import convert_tf_json

__all__ = ["CACHE_FORMAT_VERSION", "HCL2_VERSION", "ParseCache", "ParseOutcome", "parse_all"]

PARALLEL_THRESHOLD = 32


def parse_text(text: str, is_json: bool) -> dict[str, Any]:
    """Parse one file's text; raises on invalid input. Module-level so tests can count calls."""
    if is_json:
        return convert_tf_json(text)
    # Terraform reads CRLF as a newline (any Windows checkout); python-hcl2's grammar does not.
    text = text.replace("\r\n", "\n")
    if not text.strip():
        return {}
    # Imported here: a warm scan (every file in the cache) never loads the grammar (~50 ms).
    from scanner.sources.terraform.hcl_transformer import loads as hcl_loads

    result: dict[str, Any] = hcl_loads(text)
    return result


def _short_message(exc: BaseException) -> tuple[str, int | None]:
    """A one-line description of what the parser said, and the line it points at if known."""
    line = getattr(exc, "line", None) or getattr(exc, "lineno", None)
    line = line if isinstance(line, int) and line > 0 else None
    token = getattr(exc, "token", None)
    char = getattr(exc, "char", None)
    if token is not None:
        found = str(token).strip().splitlines()[0][:40] if str(token).strip() else "end of block"
        first = f"unexpected {found!r}"
    elif char is not None:
        first = f"unexpected character {char!r}"
    else:
        text = str(exc).strip()
        first = text.splitlines()[0] if text else type(exc).__name__
    if line is not None and token is None and char is None:
        return f"parse error: {first[:200]}", line
    where = f" at line {line}, column {getattr(exc, 'column', '?')}" if line is not None else ""
    return f"parse error{where}: {first[:200]}", line


def parse_outcome(text: str, is_json: bool) -> ParseOutcome:
    try:
        return ParseOutcome(parse_text(text, is_json))
    except RecursionError:
        return ParseOutcome(None, "parse error: nesting too deep")
    except Exception as exc:  # any parser failure is a ScanError for this file, never a crash
        message, line = _short_message(exc)
        return ParseOutcome(None, message, line)


def _parse_job(job: tuple[str, bool]) -> ParseOutcome:
    """Worker entry point: plain, picklable data in and out."""
    return parse_outcome(*job)


def parse_all(
    sources: Sequence[tuple[str, bytes, bool]],
    *,
    cache: ParseCache | None,
    jobs: int,
) -> list[ParseOutcome]:
    """Parse `(text, bytes, is_json)` items, in order; cache hits skip the parser entirely."""
    outcomes: list[ParseOutcome | None] = [None] * len(sources)
    keys: list[str | None] = [None] * len(sources)
    misses: list[int] = []
    for index, (_text, data, is_json) in enumerate(sources):
        if cache is not None:
            keys[index] = key = ParseCache.key(data, is_json)
            outcomes[index] = cache.get(key)
        if outcomes[index] is None:
            misses.append(index)
    if misses:
        jobs_in = [(sources[i][0], sources[i][2]) for i in misses]
        for index, outcome in zip(misses, _run(jobs_in, jobs), strict=True):
            outcomes[index] = outcome
            cache_key = keys[index]
            if cache is not None and cache_key is not None:
                cache.put(cache_key, outcome)
    return [
        o if o is not None else ParseOutcome(None, "internal error: not parsed") for o in outcomes
    ]


def _run(jobs_in: list[tuple[str, bool]], jobs: int) -> list[ParseOutcome]:
    if jobs > 1 and len(jobs_in) > PARALLEL_THRESHOLD:
        try:
            workers = min(jobs, len(jobs_in))
            chunk = max(1, len(jobs_in) // (workers * 4))
            with ProcessPoolExecutor(max_workers=workers) as pool:
                return list(pool.map(_parse_job, jobs_in, chunksize=chunk))
        except Exception:  # noqa: S110 - no processes (sandbox, broken pool): parse here instead
            pass
    return [parse_outcome(text, is_json) for text, is_json in jobs_in]
