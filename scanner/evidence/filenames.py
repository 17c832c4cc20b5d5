"""Safe, stable file names inside an evidence bundle.

Resource ids (`Deployment/portal/api`, `module.a["../x"].b`), control ids (`164.312(a)(2)(iv)`) and
attestation evidence paths (`../policies/security.pdf`) become single path components: lower-case
ASCII letters, digits, `.`, `_` and `-` only, never starting with a dot, never a reserved device
name. When the text had to change, a short hash of the original is appended, so two different ids
can never map to the same name (`a/b` and `a_b`; `Foo` and `foo` on a case-insensitive disk).
"""

from __future__ import annotations

import hashlib
import posixpath
import re

MAX_STEM = 80
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")
# Windows device names: a file called `con.json` cannot be created there.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


class UnsafePathError(ValueError):
    """A bundle path that could leave the bundle (absolute, `..`, backslashes, empty parts)."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def safe_name(text: str) -> str:
    """One safe path component for `text`; identical to `text` when it was already safe."""
    cleaned = _UNSAFE.sub("-", text.lower()).strip("-.")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)  # never `..` anywhere
    if cleaned.split(".", 1)[0] in _RESERVED:
        cleaned = "_" + cleaned
    changed = cleaned != text or not cleaned
    if len(cleaned) > MAX_STEM:
        cleaned, changed = cleaned[:MAX_STEM].rstrip("-."), True
    if changed:
        return f"{cleaned or 'item'}--{_digest(text)}"
    return cleaned


def safe_file_name(text: str, suffix: str) -> str:
    """`safe_name(text)` plus a fixed `suffix` such as `.json` or `.html`."""
    return safe_name(text) + suffix


def safe_copy_name(original: str) -> str:
    """A safe name for a copied file that keeps a harmless extension (`policy.pdf`)."""
    base = posixpath.basename(original.replace("\\", "/"))
    stem, extension = posixpath.splitext(base)
    extension = extension.lower()
    if not _SAFE_SUFFIX.match(extension):
        stem, extension = base, ""
    name = safe_name(stem)
    if original != base or name != stem:
        # The folder part (or a changed stem) is folded into the hash so that `a/x.pdf` and
        # `b/x.pdf` stay distinct.
        name = f"{safe_name(stem).split('--', 1)[0]}--{_digest(original)}"
    return name + extension


def check_bundle_path(path: str) -> str:
    """`path` if it is a relative posix path that stays inside the bundle; else raise."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        raise UnsafePathError(f"unsafe path in bundle: {path!r}")
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts) or re.match(r"^[A-Za-z]:", path):
        raise UnsafePathError(f"unsafe path in bundle: {path!r}")
    return path
