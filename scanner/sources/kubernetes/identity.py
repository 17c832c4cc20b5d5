"""Resource ids that stay unique: the same object in two files, and objects without a name.

A resource id (`Kind/namespace/name`) is what findings, fingerprints, baselines and the evidence
population are keyed by. Two files may define the same object (two copies of an example, a base
that two overlays render unchanged): both are judged, so each gets the file in its id and a
warning says where the duplicates are, rather than one silently standing in for the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from scanner.core.model import Resource, ScanWarning

# Separates an object's Kubernetes id from the file that defines it. Names cannot hold it (DNS
# subdomain names allow [a-z0-9.-] only), so a qualified id never clashes with a real one.
FILE_MARK = "@"


def unnamed_name(ordinal: int, file: str) -> str:
    """The synthetic name of the `ordinal`-th object of a kind without metadata.name in `file`
    (IstioOperator, scheduler Policy...): stable while the file keeps its objects in order."""
    return f"unnamed-{ordinal}{FILE_MARK}{file}"


def disambiguate(resources: Sequence[Resource]) -> list[ScanWarning]:
    """Give every resource whose id another resource shares the file in its id (and the line,
    or its position, when one file holds it more than once). One warning per set of files that
    share objects, naming a few of them: a copied folder is one warning, not one per object."""
    groups: dict[str, list[Resource]] = defaultdict(list)
    for resource in resources:
        groups[resource.id].append(resource)
    shared: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for resource_id, group in groups.items():
        if len(group) < 2:
            continue
        per_file: dict[str | None, int] = defaultdict(int)
        for resource in group:
            per_file[resource.location.file] += 1
        seen: dict[str | None, int] = defaultdict(int)
        for resource in group:
            qualifier = resource.location.file or "?"
            if per_file[resource.location.file] > 1:
                line = resource.location.start_line
                seen[resource.location.file] += 1
                qualifier += f":{line}" if line is not None else f"#{seen[resource.location.file]}"
            resource.id = f"{resource_id}{FILE_MARK}{qualifier}"
        shared[tuple(sorted({r.location.file or "?" for r in group}))].append(resource_id)
    return [_warning(files, ids) for files, ids in shared.items()]


def _warning(files: tuple[str, ...], ids: list[str]) -> ScanWarning:
    shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
    where = f"{len(files)} files ({', '.join(files)})" if len(files) > 1 else "the same file"
    count = f"{len(ids)} object" + ("s" if len(ids) > 1 else "")
    return ScanWarning(
        files[0],
        f"{count} defined more than once, in {where}: {shown}; each is judged, with its file "
        f"in its id (Kind/namespace/name{FILE_MARK}FILE)",
    )
