"""comply: HIPAA and SOC 2 policy-as-code scanner (the engine; checks live in `policies`)."""

from __future__ import annotations

from functools import cache


@cache
def _installed_version() -> str:
    # importlib.metadata costs ~50 ms to import: only commands that print the version pay it.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("comply")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _installed_version()
    raise AttributeError(f"module 'scanner' has no attribute {name!r}")
