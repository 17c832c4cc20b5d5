"""Find and run checkov as a subprocess, and parse its JSON report.

checkov is never imported (its `hcl2` fork shadows python-hcl2 and it pins boto3): it runs from
its own virtual environment, found at `COMPLY_CHECKOV` or on PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.core.gc_pause import cyclic_gc_paused

ENGINE = "checkov"
DEFAULT_TIMEOUT_SECONDS = 600.0
# Frameworks comply asks checkov for, per comply source: the IaC itself and planted secrets.
FRAMEWORKS = {"terraform": ("terraform", "secrets"), "kubernetes": ("kubernetes", "secrets")}
# checkov exits 1 when a check failed: that is a result, not a crash.
_RESULT_EXIT_CODES = (0, 1)
_MAX_OUTPUT_BYTES = 256 * 1024 * 1024
VERSION_TIMEOUT_SECONDS = 120.0
# What `checkov --version` prints: a release number, nothing else (a fake or broken one may not).
_VERSION = re.compile(r"^\d+(\.\d+)+[0-9A-Za-z.+-]*$")
# checkov would otherwise look for an API key and report usage.
_QUIET = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": ""}
_DISTRIBUTION_VERSION = "import importlib.metadata as m; print(m.version('checkov'))"


class EngineError(Exception):
    """The engine could not give a result: missing, crashed, timed out, or unreadable output."""

    def __init__(self, message: str) -> None:
        super().__init__(f"{ENGINE}: {message}")


@dataclass(frozen=True)
class CheckovResult:
    check_id: str
    check_name: str
    outcome: str  # "passed" | "failed" | "skipped" (a `checkov:skip=` comment, honoured by checkov)
    file_path: str  # relative to the scanned folder, posix, without checkov's leading slash
    start_line: int | None
    end_line: int | None
    resource: str  # checkov's resource: `aws_s3_bucket.logs`, `Deployment.default.api`
    framework: str
    skip_reason: str = ""
    absolute_path: str = ""  # checkov's `file_abs_path`, when it gives one


def find_checkov(environ: dict[str, str] | None = None) -> Path:
    """`COMPLY_CHECKOV` when set (it must exist), else `checkov` on PATH."""
    env = os.environ if environ is None else environ
    configured = env.get("COMPLY_CHECKOV")
    if configured:
        path = Path(configured)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise EngineError(f"COMPLY_CHECKOV={configured} is not an executable file")
        return path
    found = shutil.which("checkov", path=env.get("PATH"))
    if found is None:
        raise EngineError(
            "not found: set COMPLY_CHECKOV or put checkov on PATH "
            "(`comply engines install checkov` installs it in its own environment)"
        )
    return Path(found)


def checkov_command(executable: Path, folder: Path, source: str) -> list[str]:
    return [
        str(executable),
        "--file" if folder.is_file() else "--directory",
        str(folder),
        *checkov_options(source),
    ]


def checkov_options(source: str) -> list[str]:
    """Every option comply runs checkov with, after the path: part of the results' cache key."""
    return [
        "--output",
        "json",
        "--framework",
        *FRAMEWORKS[source],
        "--download-external-modules",
        "false",
        "--compact",
        "--skip-download",  # no call home for the platform's policies
    ]


def run_checkov(
    folder: Path,
    source: str,
    *,
    executable: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> list[CheckovResult]:
    """Run checkov on `folder` and return its results; EngineError when there are none to give."""
    if executable is None:
        from scanner.engines.installs import locate  # comply's own install, as a last resort

        # None: find_checkov raises the "not found" error with its advice.
        executable = locate(ENGINE) or find_checkov()
    command = checkov_command(executable, folder, source)
    try:
        completed = subprocess.run(  # a fixed argument list, no shell
            command,
            capture_output=True,
            timeout=timeout,
            check=False,
            env={**os.environ, **_QUIET},
        )
    except subprocess.TimeoutExpired:
        raise EngineError(f"timed out after {timeout:g} s on {folder}") from None
    except OSError as exc:
        raise EngineError(f"cannot run {command[0]}: {exc.strerror}") from None
    if completed.returncode not in _RESULT_EXIT_CODES:
        tail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        detail = f": {' / '.join(tail)}" if tail else ""
        raise EngineError(f"exited with status {completed.returncode} on {folder}{detail}")
    if len(completed.stdout) > _MAX_OUTPUT_BYTES:
        raise EngineError(f"output larger than {_MAX_OUTPUT_BYTES // 1024 // 1024} MB")
    # Millions of objects, all kept or freed by reference counting: a cyclic collection would walk
    # comply's whole inventory again and again meanwhile (on 20,000 results, half the parse).
    with cyclic_gc_paused():
        return parse_report(completed.stdout.decode("utf-8", "replace"))


def checkov_version(executable: Path) -> tuple[str | None, str]:
    """What `checkov --version` reports, or None and why it could not say."""
    try:
        completed = subprocess.run(  # a fixed argument list, no shell
            [str(executable), "--version"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT_SECONDS,
            check=False,
            env={**os.environ, **_QUIET},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, str(exc)
    last = completed.stdout.strip().splitlines()[-1:] if completed.returncode == 0 else []
    if last and _VERSION.match(last[0].strip()):
        return last[0].strip(), ""
    why = completed.stderr.strip().splitlines()[-1:] or [f"exit {completed.returncode}"]
    return None, why[0] if not last else f"not a version: {last[0].strip()[:80]}"


def installed_version(executable: Path) -> str | None:
    """checkov's version, cheaply when it can be: a pip-installed checkov (a virtual environment,
    pipx) is a Python script, and its interpreter says which checkov distribution it has in a few
    milliseconds, where `checkov --version` takes a checkov start (seconds). Anything else (a
    wrapper script, a binary) is asked with --version."""
    try:
        with executable.open("rb") as handle:
            first = handle.readline(512)
    except OSError:
        return None
    interpreter = first[2:].decode("utf-8", "replace").strip() if first[:2] == b"#!" else ""
    if interpreter and " " not in interpreter and Path(interpreter).name.startswith("python"):
        try:
            completed = subprocess.run(  # a fixed argument list, no shell
                [interpreter, "-I", "-c", _DISTRIBUTION_VERSION],
                capture_output=True,
                text=True,
                timeout=VERSION_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            completed = None
        answer = completed.stdout.strip() if completed and completed.returncode == 0 else ""
        if _VERSION.match(answer):
            return answer
    return checkov_version(executable)[0]


def parse_report(text: str) -> list[CheckovResult]:
    """checkov's `-o json`: one report object, a list of per-framework reports, or (nothing to
    scan) a summary object without `results`."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EngineError(f"output is not JSON ({exc.msg} at line {exc.lineno})") from None
    reports: Sequence[Any] = document if isinstance(document, list) else [document]
    results: list[CheckovResult] = []
    for report in reports:
        if not isinstance(report, dict):
            raise EngineError("output is not a checkov report (expected objects)")
        if "results" not in report:
            if {"passed", "failed"} <= set(report):  # the empty-scan summary
                continue
            raise EngineError("output is not a checkov report (no `results`)")
        framework = str(report.get("check_type", ""))
        body = report["results"]
        if not isinstance(body, dict):
            raise EngineError("output is not a checkov report (`results` is not an object)")
        for outcome in ("failed", "passed", "skipped"):
            entries = body.get(f"{outcome}_checks") or []
            if not isinstance(entries, list):
                raise EngineError(f"output is not a checkov report (`{outcome}_checks`)")
            results.extend(_result(entry, outcome, framework) for entry in entries)
    return results


def _result(entry: Any, outcome: str, framework: str) -> CheckovResult:
    if not isinstance(entry, dict) or not isinstance(entry.get("check_id"), str):
        raise EngineError("output is not a checkov report (a result without check_id)")
    lines = entry.get("file_line_range")
    start = end = None
    if isinstance(lines, list) and len(lines) == 2 and all(isinstance(n, int) for n in lines):
        start, end = lines
    return CheckovResult(
        check_id=entry["check_id"],
        check_name=str(entry.get("check_name", "")),
        outcome=outcome,
        file_path=str(entry.get("file_path", "")).lstrip("/"),
        start_line=start,
        end_line=end,
        resource=str(entry.get("resource", "")),
        framework=framework,
        skip_reason=_skip_reason(entry) if outcome == "skipped" else "",
        absolute_path=str(entry.get("file_abs_path") or ""),
    )


def _skip_reason(entry: dict[str, Any]) -> str:
    check_result = entry.get("check_result")
    comment = check_result.get("suppress_comment") if isinstance(check_result, dict) else None
    return str(comment or "checkov:skip comment without reason")
