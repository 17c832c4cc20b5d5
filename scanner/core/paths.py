"""Where the data that ships with comply lives, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the `scanner` package


def bundled_dir(name: str) -> Path:
    """`controls` or `evidence_templates`: inside the wheel, or at the repository root."""
    installed = _PACKAGE_DIR / "_bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def controls_dir() -> Path:
    return bundled_dir("controls")


def evidence_templates_dir() -> Path:
    return bundled_dir("evidence_templates")
