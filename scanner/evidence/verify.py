"""`comply evidence verify`: re-hash every file of a bundle and compare with its manifest.

Reports each added, missing or changed file by name. SHA256SUMS must agree with the files too (it
covers manifest.json), and with `--key` the Ed25519 signature of manifest.json must be valid.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from scanner.evidence.filenames import UnsafePathError, check_bundle_path
from scanner.evidence.manifest import (
    INTEGRITY_FILES,
    MANIFEST,
    SIGNATURE,
    SUMS,
    SigningError,
    check_signature,
    parse_manifest,
    parse_sums,
    sha256_hex,
)
from scanner.evidence.zip_limits import CappedReader, ZipLimitError


class BundleReadError(Exception):
    """The path is neither a bundle directory nor a readable zip."""


@dataclass
class Verification:
    files: int = 0
    added: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    signature: str = "absent"  # absent | valid | not checked (no --key)

    @property
    def ok(self) -> bool:
        return not (self.added or self.missing or self.changed or self.problems)

    def lines(self) -> list[str]:
        out = [f"added: {p}" for p in self.added]
        out += [f"missing: {p}" for p in self.missing]
        out += [f"changed: {p}" for p in self.changed]
        out += [f"problem: {p}" for p in self.problems]
        return out


def read_bundle(path: Path) -> tuple[dict[str, bytes], list[str]]:
    """Every file of a bundle (zip or directory), and problems found while reading it."""
    files: dict[str, bytes] = {}
    problems: list[str] = []
    if path.is_dir():
        for item in sorted(path.rglob("*")):
            name = item.relative_to(path).as_posix()
            if item.is_symlink():
                problems.append(f"{name} is a symbolic link")
            elif item.is_file():
                files[name] = item.read_bytes()
        return files, problems
    try:
        with zipfile.ZipFile(path) as archive:
            reader = CappedReader(archive)
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if info.filename in files:
                    problems.append(f"{info.filename} appears twice in the zip")
                files[info.filename] = reader.read(info)
    except ZipLimitError as exc:
        raise BundleReadError(f"{path}: not read: {exc}") from exc
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleReadError(f"{path}: not a bundle directory or zip: {exc}") from exc
    return files, problems


def _check_sums(files: dict[str, bytes], result: Verification) -> None:
    if SUMS not in files:
        result.missing.append(SUMS)
        return
    listed = parse_sums(files[SUMS])
    covered = {p: sha256_hex(d) for p, d in files.items() if p not in (SUMS, SIGNATURE)}
    if set(listed) != set(covered) or any(listed[p] != covered[p] for p in covered):
        # Only name SHA256SUMS when the files it lists are otherwise accounted for.
        if MANIFEST in listed and listed[MANIFEST] != covered.get(MANIFEST):
            result.changed.append(MANIFEST)
        result.changed.append(SUMS)


def verify_bundle(path: Path, public_key_pem: bytes | None = None) -> Verification:
    files, problems = read_bundle(path)
    result = Verification(files=len(files), problems=problems)
    for name in files:
        try:
            check_bundle_path(name)
        except UnsafePathError as exc:
            result.problems.append(str(exc))
    if MANIFEST not in files:
        result.missing.append(MANIFEST)
        return result
    try:
        manifest = parse_manifest(files[MANIFEST])
    except (ValueError, UnicodeDecodeError) as exc:
        result.problems.append(f"manifest.json cannot be read: {exc}")
        return result
    present = {p for p in files if p not in INTEGRITY_FILES}
    result.added = sorted(present - set(manifest))
    result.missing = sorted(set(manifest) - present)
    result.changed = sorted(
        p
        for p in present & set(manifest)
        if manifest[p].get("sha256") != sha256_hex(files[p])
        or manifest[p].get("size") != len(files[p])
    )
    _check_sums(files, result)
    if public_key_pem is not None:
        if SIGNATURE not in files:
            result.problems.append("manifest.sig is missing: the bundle was not signed")
        else:
            try:
                check_signature(files[MANIFEST], files[SIGNATURE], public_key_pem)
                result.signature = "valid"
            except SigningError as exc:
                result.problems.append(str(exc))
                result.signature = "invalid"
    elif SIGNATURE in files:
        result.signature = "not checked (pass --key)"
    return result
