"""Kubernetes source: manifests (YAML/JSON files, stdin, rendered kustomizations) -> Resources.

See docs/resource-schema.md ("Kubernetes") for the canonical shape and docs/kubernetes.md for
what is loaded, skipped and reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scanner.core.gc_pause import cyclic_gc_paused
from scanner.core.model import ScanError
from scanner.sources.kubernetes.files import scan_root
from scanner.sources.kubernetes.loader import STDIN_NAME, KubernetesLoadResult, _Loader

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "STDIN_NAME",
    "KubernetesLoadResult",
    "load_kubernetes",
    "scan_root",
]

# Rendered installs of real projects run past 10 MB (a cluster install of 11.4 MB). The loader
# keeps one document's node tree at a time, so memory follows the objects, not the file's nodes.
DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024


def load_kubernetes(
    paths: Sequence[Path],
    *,
    stdin_text: str | None = None,
    kustomize: bool = True,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    helm_values: Sequence[Path] = (),
) -> KubernetesLoadResult:
    """Load every Kubernetes object in `paths` (files or folders) and in `stdin_text`.

    Locations are relative to `scan_root(paths)`; objects read from stdin are in file `<stdin>`.
    Never raises for bad input: unreadable, malformed, oversized or unrendered files become
    `errors`, and an unexpected internal failure is reported as an error rather than a traceback.
    """
    loader = _Loader(
        kustomize=kustomize, max_file_size=max_file_size, helm_values=tuple(helm_values)
    )
    try:
        with cyclic_gc_paused():
            return loader.run([Path(p) for p in paths], stdin_text)
    except Exception as exc:  # last line of defence: report, never crash the scan
        target = ", ".join(str(p) for p in paths) or STDIN_NAME
        loader.errors.append(
            ScanError(target=target, message=f"internal error: {type(exc).__name__}: {exc}")
        )
        return loader.result()
