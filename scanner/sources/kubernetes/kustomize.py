"""Kustomize and Helm renderers: find them on PATH and run them (no shell, with a timeout)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
RENDER_TIMEOUT_S = 120.0


def kustomization_file(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_FILES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def find_kubectl() -> str | None:
    return shutil.which("kubectl")


def find_helm() -> str | None:
    return shutil.which("helm")


@dataclass
class Rendered:
    text: str | None
    error: str | None


def render(directory: Path, kubectl: str, timeout: float = RENDER_TIMEOUT_S) -> Rendered:
    """`kubectl kustomize DIR`: the YAML it prints, or why not."""
    return run_renderer([kubectl, "kustomize", str(directory)], "kubectl kustomize", timeout)


def render_chart(
    chart: Path, helm: str, values: Sequence[Path] = (), timeout: float = RENDER_TIMEOUT_S
) -> Rendered:
    """`helm template NAME CHART --include-crds [-f VALUES]...` with the chart's default values
    plus the given files: the YAML it prints, or why not. The release is named after the chart
    folder (helm requires a name; `release-name` would be as arbitrary)."""
    release = re.sub(r"[^a-z0-9-]+", "-", chart.name.lower()).strip("-")[:53] or "release"
    argv = [helm, "template", release, str(chart), "--include-crds"]
    for file in values:
        argv += ["-f", str(file)]
    return run_renderer(argv, "helm template", timeout)


def run_renderer(argv: list[str], label: str, timeout: float) -> Rendered:
    try:
        process = subprocess.run(
            argv, capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return Rendered(None, f"`{label}` did not finish within {timeout:.0f} s")
    except OSError as exc:
        return Rendered(None, f"cannot run {argv[0]}: {exc.strerror or exc}")
    if process.returncode != 0:
        detail = process.stderr.decode("utf-8", "replace").strip().splitlines()
        tail = " ".join(detail[-3:]) if detail else f"exit code {process.returncode}"
        return Rendered(None, f"`{label}` failed: {tail}")
    try:
        return Rendered(process.stdout.decode("utf-8"), None)
    except UnicodeDecodeError:
        return Rendered(None, f"`{label}` printed output that is not UTF-8")
