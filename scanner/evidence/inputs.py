"""Reading the inputs of an export: reports, the checks' and catalog's digests, and the user
files (attestations with their evidence, waivers) as they are carried into the bundle.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from scanner.compliance.attestations import (
    URL_PATTERN,
    Attestation,
    AttestationError,
    evidence_file,
)
from scanner.compliance.catalog import Catalog
from scanner.core.json_files import JsonFileError, read_capped
from scanner.core.redaction import looks_like_secret, redact
from scanner.evidence.errors import EvidenceError
from scanner.evidence.filenames import safe_copy_name
from scanner.evidence.manifest import sha256_hex
from scanner.evidence.model import AttestationEvidenceItem, CopiedFile, ReportDocument
from scanner.evidence.text_safety import scrub

# docs/security.md, "Input caps": a JSON report given to `comply evidence export`.
MAX_REPORT_BYTES = 512 * 1024 * 1024


def load_report(path: Path, name: str) -> ReportDocument:
    """A JSON report written by `comply scan ... -o json=PATH`, checked for the contract."""
    try:
        data = read_capped(path, MAX_REPORT_BYTES)
        document = json.loads(data.decode("utf-8"))
    except JsonFileError as exc:
        raise EvidenceError(str(exc)) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvidenceError(f"{path}: is not a JSON report: {exc}") from exc
    except RecursionError as exc:
        raise EvidenceError(f"{path}: is not a JSON report: nested too deeply") from exc
    if not isinstance(document, dict) or document.get("schema_version") != "1":
        raise EvidenceError(f'{path}: not a comply JSON report (schema_version "1" expected)')
    for key, kind in (("scan", dict), ("findings", list), ("resources", list)):
        if key not in document:
            raise EvidenceError(f"{path}: the report has no {key!r}; rescan with this comply")
        if not isinstance(document[key], kind):
            raise EvidenceError(f"{path}: the report's {key!r} is not a {kind.__name__}")
    for key in ("findings", "resources"):
        if not all(isinstance(item, dict) for item in document[key]):
            raise EvidenceError(f"{path}: an entry of the report's {key!r} is not an object")
    finished = (document.get("scan") or {}).get("finished_at")
    if not isinstance(finished, str) or not re.match(r"^\d{4}-\d{2}-\d{2}T", finished):
        raise EvidenceError(f"{path}: scan.finished_at is missing or not a UTC timestamp")
    return ReportDocument(name=name, sha256=sha256_hex(data), document=document)


def report_names(paths: Sequence[Path]) -> list[str]:
    """Unique labels from base names: `tf.json`, `tf-2.json` for a second `tf.json`."""
    names: list[str] = []
    for path in paths:
        base, candidate, n = path.name, path.name, 1
        while candidate in names:
            n += 1
            candidate = f"{Path(base).stem}-{n}{Path(base).suffix}"
        names.append(candidate)
    return names


def tree_sha256(files: Sequence[tuple[str, bytes]]) -> str:
    """One digest over (relative name, content) pairs, order-independent."""
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode() + b"\x00" + sha256_hex(data).encode() + b"\n")
    return digest.hexdigest()


def policies_sha256(policy_dirs: Sequence[Path]) -> str:
    """The built-in `policies` package plus user policy folders: the checks' version."""
    package = importlib.import_module("policies")
    folders = [("builtin", Path(p)) for p in package.__path__]
    folders += [(f"user{i}", p) for i, p in enumerate(policy_dirs)]
    pairs = [
        (f"{label}/{path.relative_to(folder).as_posix()}", path.read_bytes())
        for label, folder in folders
        for path in folder.rglob("*.py")
        if "__pycache__" not in path.parts
    ]
    return tree_sha256(pairs)


def catalog_sha256(catalog: Catalog) -> str:
    pairs = []
    for framework in catalog.frameworks.values():
        source = Path(framework.source)
        data = source.read_bytes() if source.is_file() else framework.id.encode()
        pairs.append((f"{framework.id}/{source.name}", data))
    return tree_sha256(pairs)


def _text_or_none(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def carry_file(data: bytes) -> tuple[bytes | None, bool]:
    """(bytes to put in the bundle, redacted?) for a user file; None when it must stay out.

    Text is scrubbed of credential-looking values; a binary file that seems to hold one is withheld
    rather than copied, because it cannot be redacted without breaking it.
    """
    text = _text_or_none(data)
    if text is not None:
        cleaned = scrub(text)
        return cleaned.encode("utf-8"), cleaned != text
    if looks_like_secret(data.decode("latin-1")):
        return None, False
    return data, False


def attestation_inputs(
    path: Path, attestations: Sequence[Attestation], evidence_root: Path | None = None
) -> tuple[CopiedFile, dict[tuple[str, str], AttestationEvidenceItem], dict[str, bytes]]:
    """The attestations file and the evidence files it names, as they go into the bundle."""
    attachments: dict[str, bytes] = {}
    original = path.read_bytes()
    document = yaml.safe_load(original.decode("utf-8"))
    carried, redacted = carry_file(original)
    if carried is None or redact(document) != document:
        carried = yaml.safe_dump(redact(document), sort_keys=False, allow_unicode=True).encode()
        carried, redacted = scrub(carried.decode()).encode(), True
    bundle_path = f"attestations/{safe_copy_name(path.name)}"
    attachments[bundle_path] = carried
    copied = CopiedFile(path.name, bundle_path, sha256_hex(carried), redacted)
    items: dict[tuple[str, str], AttestationEvidenceItem] = {}
    for attestation in attestations:
        for ref in attestation.evidence:
            items[(attestation.source, ref)] = _evidence_item(path, ref, attachments, evidence_root)
    return copied, items, attachments


def _evidence_item(
    attestations_file: Path,
    ref: str,
    attachments: dict[str, bytes],
    evidence_root: Path | None,
) -> AttestationEvidenceItem:
    if URL_PATTERN.match(ref):
        return AttestationEvidenceItem(scrub(ref), "url", "link", None, None)
    try:  # checked when the file was loaded; again here, right before copying
        source = evidence_file(attestations_file, ref, evidence_root)
    except AttestationError as exc:
        raise EvidenceError(str(exc)) from exc
    if not source.is_file():
        return AttestationEvidenceItem(ref, "file", "missing", None, None)
    carried, _ = carry_file(source.read_bytes())
    if carried is None:
        return AttestationEvidenceItem(ref, "file", "withheld", None, None)
    bundle_path = f"attestations/files/{safe_copy_name(ref)}"
    attachments[bundle_path] = carried
    return AttestationEvidenceItem(ref, "file", "copied", bundle_path, sha256_hex(carried))


def waivers_file(path: Path) -> tuple[CopiedFile, dict[str, bytes]]:
    carried, redacted = carry_file(path.read_bytes())
    if carried is None:
        raise EvidenceError(f"{path}: a waivers file must be text")
    bundle_path = f"waivers/{safe_copy_name(path.name)}"
    return CopiedFile(path.name, bundle_path, sha256_hex(carried), redacted), {bundle_path: carried}


def responses_file(path: Path) -> dict[str, bytes]:
    """responses.yaml as it goes into the bundle (`responses/<name>`); nothing if withheld."""
    carried, _ = carry_file(path.read_bytes())
    return {} if carried is None else {f"responses/{safe_copy_name(path.name)}": carried}
