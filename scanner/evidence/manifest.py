"""Integrity of a bundle: `manifest.json`, `SHA256SUMS` and the optional Ed25519 `manifest.sig`.

`manifest.json` lists every other file of the bundle (path, sha256, size) plus bundle metadata.
`SHA256SUMS` (`sha256sum -c` format) lists every file except itself and the signature, so the
manifest is covered too. `manifest.sig` is the base64 Ed25519 signature of `manifest.json`'s bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

MANIFEST = "manifest.json"
VERIFY_GUIDE = "VERIFY.md"
SUMS = "SHA256SUMS"
SIGNATURE = "manifest.sig"
INTEGRITY_FILES = frozenset({MANIFEST, SUMS, SIGNATURE})
NO_CRYPTOGRAPHY = (
    "signing needs the 'cryptography' package, which is not installed "
    "(pip install 'cryptography>=42')"
)


class SigningError(Exception):
    """A key cannot be used, or a signature does not match."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_entries(files: Mapping[str, bytes]) -> list[dict[str, Any]]:
    return [
        {"path": path, "sha256": sha256_hex(files[path]), "size": len(files[path])}
        for path in sorted(files)
    ]


def render_manifest(files: Mapping[str, bytes], bundle: Mapping[str, Any]) -> bytes:
    """manifest.json over `files` (which must not hold the integrity files themselves)."""
    clash = INTEGRITY_FILES & set(files)
    if clash:
        raise ValueError(f"files may not include {sorted(clash)}")
    document = {"bundle": dict(bundle), "files": file_entries(files)}
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def render_sums(files: Mapping[str, bytes]) -> bytes:
    """`<sha256>  <path>` lines, sorted by path."""
    lines = [f"{sha256_hex(files[path])}  {path}\n" for path in sorted(files)]
    return "".join(lines).encode()


def seal(
    files: Mapping[str, bytes], bundle: Mapping[str, Any], sign_key_pem: bytes | None
) -> dict[str, bytes]:
    """`files` plus manifest.json, SHA256SUMS and (with a key) manifest.sig, sorted by path."""
    sealed = dict(files)
    manifest = render_manifest(sealed, bundle)
    sealed["manifest.json"] = manifest
    sealed[SUMS] = render_sums(sealed)
    if sign_key_pem is not None:
        sealed[SIGNATURE] = sign(manifest, sign_key_pem)
    return dict(sorted(sealed.items()))


def parse_sums(data: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        digest, sep, path = line.partition("  ")
        if sep and path:
            out[path.lstrip("*")] = digest.strip().lower()
    return out


def parse_manifest(data: bytes) -> dict[str, dict[str, Any]]:
    """path -> entry; raise ValueError when it is not a manifest."""
    document = json.loads(data.decode("utf-8"))
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, list):
        raise ValueError("manifest.json has no 'files' list")
    out: dict[str, dict[str, Any]] = {}
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise ValueError("manifest.json has a malformed file entry")
        out[entry["path"]] = entry
    return out


def sign(manifest: bytes, private_key_pem: bytes) -> bytes:
    """The base64 Ed25519 signature of `manifest`, newline-terminated."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
    except ImportError as exc:
        raise SigningError(NO_CRYPTOGRAPHY) from exc
    try:
        key = load_pem_private_key(private_key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError("the signing key must be an Ed25519 private key")
    return base64.b64encode(key.sign(manifest)) + b"\n"


def check_signature(manifest: bytes, signature: bytes, public_key_pem: bytes) -> None:
    """Raise SigningError unless `signature` is a valid signature of `manifest` by the key."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
    except ImportError as exc:
        raise SigningError(NO_CRYPTOGRAPHY) from exc
    try:
        key = load_pem_public_key(public_key_pem)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError("the verification key must be an Ed25519 public key")
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
        key.verify(raw, manifest)
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise SigningError("manifest.sig does not match manifest.json for this key") from exc


def key_fingerprint(private_key_pem: bytes) -> str:
    """`SHA256:<hex>` of the public key's DER SubjectPublicKeyInfo: what
    `openssl pkey -pubin -in public.pem -outform DER | sha256sum` prints."""
    try:
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            PublicFormat,
            load_pem_private_key,
        )
    except ImportError as exc:
        raise SigningError(NO_CRYPTOGRAPHY) from exc
    try:
        key = load_pem_private_key(private_key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"not an unencrypted PEM private key: {exc}") from exc
    der = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return "SHA256:" + sha256_hex(der)


def verify_guide(fingerprint: str | None) -> bytes:
    """VERIFY.md: how an auditor checks the bundle with stock tools, without comply."""
    lines = [
        "# Verifying this bundle without comply",
        "",
        "Unpack the bundle (if it is a zip) and run these commands in its top folder.",
        "",
        "## 1. Every file is the one listed",
        "",
        "```sh",
        "sha256sum -c SHA256SUMS",
        "```",
        "",
        "Every line must end in `OK`. `SHA256SUMS` lists every file except itself and",
        "`manifest.sig`; `manifest.json` is among them, and it lists every other file with its",
        "SHA-256 and size. A file that is not listed was added after the export.",
        "",
        "`report.pdf`, when present, shows a *bundle hash* on its cover: the SHA-256 of the",
        "`SHA256SUMS` lines of every other file (the PDF cannot hold its own hash). Recompute it:",
        "",
        "```sh",
        "grep -v -E '  (report.pdf|manifest.json)$' SHA256SUMS | sha256sum",
        "```",
        "",
        "## 2. Who produced it (signed bundles)",
        "",
    ]
    if fingerprint is None:
        lines += [
            'This bundle is not signed (`manifest.json` says `"signed": false`): the hashes',
            "above show the files are intact, not who exported them.",
        ]
    else:
        lines += [
            "`manifest.sig` is the base64 Ed25519 signature of `manifest.json`'s bytes. With the",
            "exporter's public key (`public.pem`, obtained from them by another channel):",
            "",
            "```sh",
            "openssl pkey -pubin -in public.pem -outform DER | sha256sum",
            "base64 -d manifest.sig > manifest.sig.bin",
            "openssl pkeyutl -verify -pubin -inkey public.pem -rawin \\",
            "    -in manifest.json -sigfile manifest.sig.bin",
            "```",
            "",
            "The first line must print the key fingerprint below (also in `manifest.json`,",
            "`bundle.signing_key_sha256`); the last must print `Signature Verified Successfully`.",
            "",
            f"Signing key fingerprint: `{fingerprint}`",
        ]
    lines += [
        "",
        "## With comply",
        "",
        "```sh",
        "comply evidence verify BUNDLE --key public.pem",
        "```",
        "",
    ]
    return "\n".join(lines).encode("utf-8")
