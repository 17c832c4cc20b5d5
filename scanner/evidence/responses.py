"""responses.yaml: management's response to each exception (failing finding).

```yaml
responses:
  - check: k8s_rbac_cluster_admin_not_bound   # check id, glob allowed
    resource: "crb-*"                         # resource id, glob
    owner: platform-lead@example.com
    due: 2026-12-15
    ticket: SEC-210
    status: open                               # open | closed
```

On the bundle's evaluation date a response is `closed`, `overdue` (open and past its due date) or
`open`. Failing findings no response covers are counted, so a missing response is visible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from scanner.core.dates import parse_date
from scanner.core.yaml_files import YamlFileError, load_yaml_file
from scanner.evidence.errors import EvidenceError

FIELDS = ("check", "resource", "owner", "due", "ticket", "status")
STATUSES = ("open", "closed")


@dataclass(frozen=True)
class Response:
    check: str
    resource: str
    owner: str
    due: dt.date
    ticket: str
    status: str  # open | closed
    source: str  # "responses.yaml entry 2"

    def matches(self, check_id: str, resource_id: str) -> bool:
        return fnmatchcase(check_id, self.check) and fnmatchcase(resource_id, self.resource)

    def state_on(self, today: dt.date) -> str:
        if self.status == "closed":
            return "closed"
        return "overdue" if today > self.due else "open"


def _entry(entry: Any, where: str) -> Response:
    if not isinstance(entry, Mapping):
        raise EvidenceError(f"{where}: must be a mapping")
    missing = [key for key in FIELDS if not str(entry.get(key) or "").strip()]
    if missing:
        raise EvidenceError(f"{where}: missing required field(s) {', '.join(missing)}")
    unknown = sorted(set(map(str, entry)) - set(FIELDS))
    if unknown:
        raise EvidenceError(f"{where}: unknown field(s) {', '.join(unknown)}")
    due = parse_date(entry["due"])
    if due is None:
        raise EvidenceError(f"{where}: due {entry['due']!r} is not a date (use YYYY-MM-DD)")
    status = str(entry["status"]).strip().lower()
    if status not in STATUSES:
        raise EvidenceError(f"{where}: status {entry['status']!r} is not open or closed")
    return Response(
        check=str(entry["check"]).strip(),
        resource=str(entry["resource"]).strip(),
        owner=str(entry["owner"]).strip(),
        due=due,
        ticket=str(entry["ticket"]).strip(),
        status=status,
        source=where,
    )


def load_responses(path: Path) -> list[Response]:
    try:
        document = load_yaml_file(path)
    except YamlFileError as exc:
        raise EvidenceError(str(exc)) from exc
    entries = document.get("responses") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise EvidenceError(f"{path}: expected a mapping with a 'responses' list")
    return [_entry(entry, f"{path.name} entry {n}") for n, entry in enumerate(entries, 1)]
