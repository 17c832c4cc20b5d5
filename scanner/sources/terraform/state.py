"""The Terraform state source: state files -> the canonical resources Terraform manages.

Each managed instance becomes a canonical resource addressed as Terraform addresses it; companion
resources (`aws_s3_bucket_versioning`, `aws_security_group_rule`, ...) fold into their parents
through the same fold layer as the configuration and plan sources, so that a state resource has
the shape a live resource of its type has. The raw attributes of every instance stay available
(`ManagedResource.identity`) because they carry what the join to the live account needs: the ARN,
the id, the bucket name.

Bad input never raises: a file that cannot be read, is of another state version or is corrupt is
an error naming the file, and the other files are still read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.core.gc_pause import cyclic_gc_paused
from scanner.core.model import Location, Resource, ScanError, ScanWarning, is_unknown
from scanner.sources.source_files import decode, relative_name
from scanner.sources.terraform.files import read_source
from scanner.sources.terraform.fold import fold_resources
from scanner.sources.terraform.resolve import ResolvedResource
from scanner.sources.terraform.state_document import (
    StateDocument,
    StateError,
    StateInstance,
    parse_state,
)

DEFAULT_MAX_STATE_SIZE = 512 * 1024 * 1024
# The raw attributes that identify the live object; nothing else of the state is kept beside the
# canonical attributes (a state holds secrets in clear: keep as little of it as possible).
IDENTITY_KEYS = ("arn", "id", "bucket", "name", "identifier", "cluster_identifier", "key_id")


@dataclass
class ManagedResource:
    state_file: str
    address: str
    resource: Resource  # canonical, folded; id is the address
    identity: dict[str, str]  # IDENTITY_KEYS present in the state, as strings


@dataclass
class StateLoadResult:
    managed: list[ManagedResource]
    errors: list[ScanError]
    warnings: list[ScanWarning]
    files_scanned: int = 0
    documents: list[dict[str, Any]] = field(default_factory=list)  # file, kind, version

    @property
    def resources(self) -> list[Resource]:
        return [m.resource for m in self.managed]


def _identity(attributes: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key in IDENTITY_KEYS:
        value = attributes.get(key)
        known = isinstance(value, str | int) and not isinstance(value, bool)
        if known and not is_unknown(value) and str(value):
            found[key] = str(value)
    return found


def _resolved(instance: StateInstance, rel: str) -> ResolvedResource:
    # null is absent (the provider default applies), as in the configuration source
    attributes = {k: v for k, v in instance.attributes.items() if v is not None}
    return ResolvedResource(
        address=instance.address,
        type=instance.type,
        attributes=attributes,
        file=rel,
        start_line=0,
        end_line=0,
        skips=[],
        module_prefix=f"{instance.module}." if instance.module else "",
    )


def managed_resources(
    document: StateDocument, rel: str
) -> tuple[list[ManagedResource], list[ScanWarning]]:
    warnings: list[ScanWarning] = []
    by_address = {i.address: i for i in document.instances}
    # keep_raw=False: the state's raw attributes hold secrets, never carried along (nor built)
    folded = fold_resources(
        [_resolved(i, rel) for i in document.instances], warnings.append, keep_raw=False
    )
    managed = []
    for resource in folded:
        resource.location = Location(file=rel)
        instance = by_address.get(resource.id)
        identity = _identity(instance.attributes) if instance is not None else {}
        managed.append(ManagedResource(rel, resource.id, resource, identity))
    return managed, warnings


@dataclass(frozen=True)
class FetchedState:
    """A state read from elsewhere than a local file (an S3 backend): its name (the URL) and
    bytes. Decoded and parsed exactly as a file is."""

    name: str
    data: bytes


def load_terraform_state(
    paths: Sequence[Path | FetchedState], *, max_file_size: int = DEFAULT_MAX_STATE_SIZE
) -> StateLoadResult:
    with cyclic_gc_paused():  # every object built here lives on (half the time on 10,000)
        return _load(paths, max_file_size)


def _read(
    item: Path | FetchedState, max_file_size: int
) -> tuple[str, str | None, ScanError | None]:
    if isinstance(item, FetchedState):
        text, error = decode(item.data, item.name, max_file_size, "a Terraform state")
        return item.name, text, error
    absolute = Path(os.path.abspath(item))
    rel = relative_name(absolute, Path.cwd())
    source = read_source(absolute, rel, max_file_size)
    return rel, source.text, source.error


def _load(paths: Sequence[Path | FetchedState], max_file_size: int) -> StateLoadResult:
    result = StateLoadResult([], [], [])
    for item in paths:
        result.files_scanned += 1
        rel, text, error = _read(item, max_file_size)
        if error is not None:
            result.errors.append(error)
            continue
        try:
            document = parse_state(text or "")
            managed, warnings = managed_resources(document, rel)
        except StateError as exc:
            result.errors.append(ScanError(rel, str(exc)))
            continue
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            result.errors.append(ScanError(rel, f"unexpected structure: {type(exc).__name__}"))
            continue
        result.managed.extend(managed)
        result.warnings.extend(warnings)
        result.documents.append(
            {
                "file": rel,
                "kind": document.kind,
                "version": document.version,
                "terraform_version": document.terraform_version,
                "instances": len(document.instances),
            }
        )
    return result
