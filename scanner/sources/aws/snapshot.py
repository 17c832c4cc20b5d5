"""Snapshots: a live collection saved as versioned, gzipped JSON, evaluated later offline.

The file holds every RawService exactly as the normalizers read it (already redacted) plus the
collection's metadata: caller identity per account, regions, start and finish times (UTC), tool
version, request count and collection errors. `comply scan snapshot` re-normalizes the stored
services with the same normalizers, so it reports the findings the live run reported, and the
same collection errors (a snapshot of an incomplete scan stays incomplete).

Deterministic bytes for the same data: sorted keys, fixed separators, gzip mtime 0.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.core.atomic_files import atomic_output
from scanner.core.json_files import JsonFileError, load_json_file
from scanner.core.model import ScanError
from scanner.core.redaction import redact
from scanner.sources.aws.collector import CallError, RawService
from scanner.sources.aws.inventory import AccountInfo, AwsCollection, call_errors_as_scan_errors

SNAPSHOT_VERSION = 1
GZIP_MAGIC = b"\x1f\x8b"
# docs/security.md, "Input caps": a snapshot, decompressed (counted while streaming).
MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024


class SnapshotError(Exception):
    """The file is not a snapshot this version of comply can read."""


@dataclass
class Snapshot:
    raw_services: list[RawService]
    call_errors: list[tuple[str, CallError]]
    setup_errors: list[ScanError]
    accounts: list[AccountInfo]
    started_at: str
    finished_at: str
    tool_version: str
    requests: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def regions(self) -> list[str]:
        return sorted({region for info in self.accounts for region in info.regions})

    def scan_errors(self) -> list[ScanError]:
        return [*self.setup_errors, *call_errors_as_scan_errors(self.call_errors)]


def snapshot_document(collection: AwsCollection) -> dict[str, Any]:
    return {
        "snapshot_version": SNAPSHOT_VERSION,
        "tool": {"name": "comply", "version": __version__},
        "started_at": _iso(collection.started_at),
        "finished_at": _iso(collection.finished_at),
        "caller_identity": [
            {"account": a.account, "arn": a.caller_arn, "role_arn": a.role_arn}
            for a in collection.accounts
        ],
        "accounts": [a.to_dict() for a in collection.accounts],
        "regions": collection.regions,
        "requests": collection.requests,
        "errors": [
            {"account": account, **error.to_dict()} for account, error in collection.call_errors
        ],
        "setup_errors": [error.to_dict() for error in collection.setup_errors],
        # Redacted at collection already; again here so no path can write a secret.
        "services": [redact(service.to_dict()) for service in collection.raw_services],
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def save_snapshot(collection: AwsCollection, path: Path) -> None:
    text = json.dumps(
        snapshot_document(collection),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    # Owner-only (0600; a folder it creates 0700), written whole or not at all.
    with (
        atomic_output(path, private=True) as handle,
        gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0) as compressed,
    ):
        compressed.write(text.encode("utf-8"))


def _read(path: Path) -> Any:
    try:
        return load_json_file(path, MAX_SNAPSHOT_BYTES)
    except JsonFileError as exc:
        raise SnapshotError(str(exc)) from exc


def load_snapshot(path: Path) -> Snapshot:
    document = _read(path)
    if not isinstance(document, dict) or "snapshot_version" not in document:
        raise SnapshotError(f"{path}: not a comply snapshot (no snapshot_version)")
    version = document["snapshot_version"]
    if version != SNAPSHOT_VERSION:
        raise SnapshotError(
            f"{path}: snapshot_version {version!r} is not supported (this comply reads "
            f"{SNAPSHOT_VERSION}); use the comply version that wrote it"
        )
    try:
        return _snapshot_from(document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SnapshotError(f"{path}: malformed snapshot ({type(exc).__name__}: {exc})") from exc
    except RecursionError as exc:
        raise SnapshotError(f"{path}: malformed snapshot (nested too deeply)") from exc


def _snapshot_from(document: dict[str, Any]) -> Snapshot:
    """The snapshot's parts; a field of the wrong type raises (KeyError, TypeError, ...)."""
    services = [RawService.from_dict(item) for item in document.get("services", [])]
    call_errors = [
        (
            str(item.get("account", "")),
            CallError(
                service=str(item["service"]),
                operation=str(item["operation"]),
                region=str(item["region"]),
                code=str(item["code"]),
                message=str(item["message"]),
            ),
        )
        for item in document.get("errors", [])
    ]
    setup_errors = [
        ScanError(str(item["target"]), str(item["message"]))
        for item in document.get("setup_errors", [])
    ]
    accounts = [
        AccountInfo(
            account=str(item["account"]),
            caller_arn=str(item.get("caller_arn", "")),
            role_arn=item.get("role_arn"),
            regions=tuple(item.get("regions", [])),
        )
        for item in document.get("accounts", [])
    ]
    return Snapshot(
        raw_services=services,
        call_errors=call_errors,
        setup_errors=setup_errors,
        accounts=accounts,
        started_at=str(document.get("started_at", "")),
        finished_at=str(document.get("finished_at", "")),
        tool_version=str(document.get("tool", {}).get("version", "")),
        requests=int(document.get("requests", 0)),
        metadata={k: document[k] for k in ("caller_identity", "regions") if k in document},
    )
