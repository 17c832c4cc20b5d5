"""How long each hostile input takes to hit its cap at the default caps (docs/security.md).

Prints seconds per case; asserts nothing. Each case is generated in a temporary folder:

    .venv/bin/python bench/bench_hostile_input.py
"""

from __future__ import annotations

import gzip
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

from scanner.core.yaml_files import YamlFileError, load_yaml_text
from scanner.evidence.verify import BundleReadError, read_bundle
from scanner.sources.aws.snapshot import SnapshotError, load_snapshot
from scanner.sources.kubernetes import load_kubernetes
from scanner.sources.terraform import load_terraform


def alias_bomb(width: int = 9, depth: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


def doubling_locals(depth: int = 40) -> str:
    lines = ["locals {", '  s0 = "abcdefghijklmnop"', "  l0 = [1]", "  n0 = [1]"]
    for i in range(1, depth + 1):
        lines.append(f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"')
        lines.append(f"  l{i} = concat(local.l{i - 1}, local.l{i - 1})")
        lines.append(f"  n{i} = [local.n{i - 1}, local.n{i - 1}]")
    lines.append("}")
    for name in "sln":
        lines.append(
            f'resource "aws_s3_bucket" "{name}" {{\n  tags = {{ v = local.{name}{depth} }}\n}}'
        )
    return "\n".join(lines) + "\n"


def timed(name: str, run: Callable[[], str], prepare: Callable[[], None] | None = None) -> None:
    """Time `run` alone (`prepare` writes its input first, untimed)."""
    if prepare is not None:
        prepare()
    tracemalloc.start()
    started = time.perf_counter()
    outcome = run()
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{name:<44} {elapsed:7.2f} s  peak {peak / 2**20:7.1f} MB  {outcome}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)

        def yaml_bomb() -> str:
            try:
                load_yaml_text(alias_bomb(), "bomb.yaml")
            except YamlFileError as exc:
                return str(exc)[:60]
            return "loaded"

        def manifest_bomb() -> str:
            path = root / "bomb.yaml"
            path.write_text(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata:\n"
                + "".join("  " + line + "\n" for line in alias_bomb().splitlines())
            )
            return f"{len(load_kubernetes([path], kustomize=False).errors)} error(s)"

        def locals_bomb() -> str:
            tf = root / "tf"
            tf.mkdir()
            (tf / "main.tf").write_text(doubling_locals())
            return f"{len(load_terraform(tf, cache_dir=None).errors)} error(s)"

        snapshot = root / "snap.json.gz"
        bundle = root / "bomb.zip"

        def write_gzip_bomb() -> None:
            path = snapshot
            with gzip.open(path, "wb", compresslevel=1) as handle:
                handle.write(b'{"snapshot_version": 1, "pad": "')
                chunk = b" " * (64 << 20)
                for _ in range(9):  # 576 MB, past the 512 MB cap
                    handle.write(chunk)
                handle.write(b'"}')

        def gzip_bomb() -> str:
            path = snapshot
            try:
                load_snapshot(path)
            except SnapshotError as exc:
                return f"{path.stat().st_size / 2**20:.1f} MB file: {str(exc)[-40:]}"
            return "loaded"

        def write_zip_bomb() -> None:
            with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("manifest.json", b"{}")
                archive.writestr("raw/zeros.bin", bytes(256 << 20))

        def zip_bomb() -> str:
            path = bundle
            try:
                read_bundle(path)
            except BundleReadError as exc:
                return f"{path.stat().st_size / 2**20:.1f} MB zip: {str(exc)[-40:]}"
            return "loaded"

        timed("YAML alias bomb (9 x 9, user file)", yaml_bomb)
        timed("YAML alias bomb in a manifest", manifest_bomb)
        timed("40 doubling Terraform locals (3 kinds)", locals_bomb)
        timed("gzip bomb snapshot (576 MB inflated)", gzip_bomb, write_gzip_bomb)
        timed("zip bomb given to evidence verify (256 MB)", zip_bomb, write_zip_bomb)


if __name__ == "__main__":
    main()
