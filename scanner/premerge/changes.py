"""Diff-aware PR mode: which resources did a change touch since a git ref?

The whole configuration is still loaded and resolved (references across files stay right); this
module only answers, per resource, whether one of its blocks (its own, or a folded companion's)
overlaps a line the change added, modified or removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from scanner.core.git import GitError, run_git
from scanner.core.model import Location, Resource

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class ChangesError(Exception):
    """git could not answer (not a repository, unknown ref, git missing)."""


@dataclass
class ChangedLines:
    """Per file (relative to the scanned root), the new-side line spans the diff touched."""

    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    whole_files: set[str] = field(default_factory=set)  # added or renamed: every block is new

    def touches(self, location: Location) -> bool:
        if location.file is None:
            return False
        if location.file in self.whole_files:
            return True
        start = location.start_line or 1
        end = location.end_line or start
        return any(lo <= end and start <= hi for lo, hi in self.spans.get(location.file, ()))


def _git(root: Path, *args: str) -> str:
    try:
        return run_git(root, *args)
    except GitError as exc:
        raise ChangesError(str(exc)) from exc


def parse_diff(diff: str, prefix: str) -> ChangedLines:
    """Spans from `git diff --unified=0` output; `prefix` is the scanned root within the repo."""
    changed = ChangedLines()
    current: str | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            path = line[4:].strip()
            current = None
            if path != "/dev/null" and path.startswith("b/"):
                relative = path[2:]
                if not prefix or relative.startswith(prefix + "/"):
                    current = relative[len(prefix) + 1 :] if prefix else relative
        elif line.startswith("new file mode") or line.startswith("rename to "):
            pass  # the +++ line that follows names the file; hunks then cover it whole
        elif current is not None:
            match = HUNK.match(line)
            if match:
                start = int(match.group(1))
                count = int(match.group(2)) if match.group(2) is not None else 1
                # A pure deletion (count 0) sits between line `start` and `start + 1`.
                span = (start, start + max(count - 1, 0)) if count else (start, start + 1)
                changed.spans.setdefault(current, []).append(span)
    return changed


def changed_lines(root: Path, ref: str) -> ChangedLines:
    """Lines changed between `ref` and the working tree, for files under `root`."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except ChangesError:
        raise ChangesError(f"--changed-since: {ref!r} is not a commit in this repository") from None
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix
    diff = _git(top, "diff", "--unified=0", "--no-color", "--no-ext-diff", ref, "--", ".")
    changed = parse_diff(diff, prefix)
    # Files git does not track yet are new in the working tree: all of them changed.
    for name in _git(top, "ls-files", "--others", "--exclude-standard").splitlines():
        if not prefix or name.startswith(prefix + "/"):
            changed.whole_files.add(name[len(prefix) + 1 :] if prefix else name)
    return changed


def touched_resources(resources: Iterable[Resource], changed: ChangedLines) -> frozenset[str]:
    return frozenset(
        r.id
        for r in resources
        if changed.touches(r.location) or any(changed.touches(x) for x in r.extra_locations)
    )
