"""`comply evidence verify`: re-hash every file of a bundle and compare with its manifest.

Reports each added, missing or changed file by name. SHA256SUMS must agree with the files too (it
covers manifest.json), and with `--key` the Ed25519 signature of manifest.json must be valid.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

ZIP_MAGIC = b"PK\x03\x04"


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
                try:
                    files[info.filename] = reader.read(info)
                except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                    # A flipped byte inside an entry (bad CRC, broken deflate stream): the
                    # bundle was changed, which is a failed verification (1), not a read error.
                    problems.append(f"changed: {info.filename} is damaged in the zip ({exc})")
    except ZipLimitError as exc:
        raise BundleReadError(f"{path}: not read: {exc}") from exc
    except (OSError, zipfile.BadZipFile) as exc:
        if _starts_like_a_zip(path):  # a zip whose directory was damaged: tampered with
            return files, [*problems, f"{path.name}: the zip is damaged ({exc})"]
        raise BundleReadError(f"{path}: not a bundle directory or zip: {exc}") from exc
    return files, problems


def _starts_like_a_zip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == ZIP_MAGIC
    except OSError:
        return False


def _check_sums(files: dict[str, bytes], manifest: dict[str, Any], result: Verification) -> None:
    """SHA256SUMS lists manifest.json's digest and, for every other file, the digest the
    manifest records. A file changed on its own is reported against the manifest already; here
    a manifest.json that SHA256SUMS does not vouch for is `changed: manifest.json`, and a
    SHA256SUMS that disagrees with an untouched manifest is `changed: SHA256SUMS`."""
    if SUMS not in files:
        result.missing.append(SUMS)
        return
    listed = parse_sums(files[SUMS])
    if listed.get(MANIFEST) != sha256_hex(files[MANIFEST]):
        result.changed.append(MANIFEST)
        return  # the manifest cannot be the reference for SHA256SUMS any more
    recorded = {p: entry.get("sha256") for p, entry in manifest.items()}
    if {p: d for p, d in listed.items() if p != MANIFEST} != recorded:
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
    _check_sums(files, manifest, result)
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
