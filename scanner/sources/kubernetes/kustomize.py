"""Kustomize: find kustomization folders and render them with `kubectl kustomize`."""

from __future__ import annotations

import shutil
import subprocess
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


@dataclass
class Rendered:
    text: str | None
    error: str | None


def render(directory: Path, kubectl: str, timeout: float = RENDER_TIMEOUT_S) -> Rendered:
    """`kubectl kustomize DIR` (no shell, with a timeout); the YAML it prints, or why not."""
    try:
        process = subprocess.run(
            [kubectl, "kustomize", str(directory)],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Rendered(None, f"`kubectl kustomize` did not finish within {timeout:.0f} s")
    except OSError as exc:
        return Rendered(None, f"cannot run kubectl: {exc.strerror or exc}")
    if process.returncode != 0:
        detail = process.stderr.decode("utf-8", "replace").strip().splitlines()
        tail = " ".join(detail[-3:]) if detail else f"exit code {process.returncode}"
        return Rendered(None, f"`kubectl kustomize` failed: {tail}")
    try:
        return Rendered(process.stdout.decode("utf-8"), None)
    except UnicodeDecodeError:
        return Rendered(None, "`kubectl kustomize` printed output that is not UTF-8")
