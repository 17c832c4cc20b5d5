"""Links from the OSCAL document to bundle files: relevant-evidence entries with their SHA-256,
and the back-matter resources behind them. Only files the builder wrote are ever linked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.evidence.oscal_fields import bundle_href, media_type_of, one_line, oscal_prop
from scanner.evidence.oscal_mapping import OscalIds

# What the builder passes per file: the sha256 hex, or a manifest entry {"path", "sha256", ...}.
FileDigests = Mapping[str, str] | Mapping[str, Mapping[str, Any]]


def _digest(value: str | Mapping[str, Any]) -> str:
    return str(value["sha256"]) if isinstance(value, Mapping) else str(value)


class EvidenceLinks:
    """Relevant-evidence entries for bundle files, and the back-matter resources behind them."""

    def __init__(self, ids: OscalIds, files: FileDigests) -> None:
        self._ids = ids
        self._digests = {path: _digest(value) for path, value in files.items()}
        self._resources: dict[str, dict[str, Any]] = {}

    def has(self, path: str | None) -> bool:
        return path is not None and path in self._digests

    def resource(self, path: str, title: str) -> str:
        """The uuid of the back-matter resource for `path` (which must be a bundle file)."""
        if path not in self._resources:
            self._resources[path] = {
                "uuid": self._ids("resource", path),
                "title": one_line(title),
                "props": [oscal_prop("bundle-path", path)],
                "rlinks": [self.rlink(path)],
            }
        return str(self._resources[path]["uuid"])

    def rlink(self, path: str) -> dict[str, Any]:
        """An OSCAL rlink to a bundle file with its SHA-256 (the OSCAL-native hash carrier)."""
        rlink: dict[str, Any] = {"href": bundle_href(path)}
        media_type = media_type_of(path)
        if media_type:
            rlink["media-type"] = media_type
        rlink["hashes"] = [{"algorithm": "SHA-256", "value": self._digests[path]}]
        return rlink

    def relevant(self, path: str, description: str, title: str) -> dict[str, Any]:
        resource = self.resource(path, title)
        return {
            "href": bundle_href(path),
            "description": description,
            "props": [oscal_prop("sha256", self._digests[path])],
            "links": [{"href": f"#{resource}", "rel": "reference", "text": "hashes"}],
        }

    def back_matter(self) -> list[dict[str, Any]]:
        return [self._resources[path] for path in sorted(self._resources)]
