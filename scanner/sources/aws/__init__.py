"""Live AWS: collect (boto3, read-only), normalize into canonical resources, snapshot save/load.

Importing this package creates no client and reads no credentials.
"""

from __future__ import annotations

from scanner.sources.aws.inventory import (
    AwsCollection,
    LoadedAws,
    collect_aws,
    normalize_collection,
)
from scanner.sources.aws.snapshot import Snapshot, SnapshotError, load_snapshot, save_snapshot

__all__ = [
    "AwsCollection",
    "LoadedAws",
    "Snapshot",
    "SnapshotError",
    "collect_aws",
    "load_snapshot",
    "normalize_collection",
    "save_snapshot",
]
