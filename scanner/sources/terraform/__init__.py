"""Terraform source: `.tf`/`.tf.json` files -> canonical Resources (docs/resource-schema.md).

Parse with python-hcl2 (cached, in parallel), resolve variables, locals, references and local
modules, fold companion resources into their parent, and attach inline skips.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from scanner.core.model import ScanError
from scanner.sources.terraform.loader import TerraformLoadResult, _Loader
from scanner.sources.terraform.parse import ParseCache

__all__ = ["TerraformLoadResult", "load_terraform"]


def load_terraform(
    path: Path,
    *,
    var_files: Sequence[Path] = (),
    cache_dir: Path | None = None,
    jobs: int | None = None,
    max_file_size: int = 10 * 1024 * 1024,
    id_root: Path | None = None,
) -> TerraformLoadResult:
    """Load the Terraform configuration at `path` (a root module directory or one `.tf` file).

    Never raises for bad input: unreadable, malformed or oversized files become `errors`, and an
    unexpected internal failure is reported as an error rather than a traceback.

    `id_root` (the repository root, when there is one) makes resource ids independent of the
    folder the scan starts from: a root module in `infra/` gives `infra:aws_s3_bucket.logs` whether
    the scan started at `infra/` or at the repository root. Without it, root modules are labelled
    relative to `path` (the scanned root module itself gives bare addresses).
    """
    loader = _Loader(
        path=Path(path),
        var_files=list(var_files),
        cache=ParseCache(Path(cache_dir)) if cache_dir is not None else None,
        jobs=jobs if jobs is not None else (os.cpu_count() or 1),
        max_file_size=max_file_size,
        id_root=Path(id_root) if id_root is not None else None,
    )
    try:
        return loader.run()
    except Exception as exc:  # last line of defence: report, never crash the scan
        error = ScanError(target=str(path), message=f"internal error: {type(exc).__name__}: {exc}")
        return TerraformLoadResult(
            [], [*loader.errors, error], loader.warnings, loader.files_scanned
        )
