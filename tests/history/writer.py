"""A separate process writing runs into a store, for the concurrent-writer tests.

python -m tests.history.writer URL NAME RUNS FINDINGS [RUN_ID SHARD_INDEX SHARD_TOTAL]
"""

from __future__ import annotations

import sys

from scanner.history.store import HistoryStore
from tests.history.factories import F, night, report
from tests.history.helpers import record


def main(argv: list[str]) -> None:
    url, name, runs, findings = argv[0], argv[1], int(argv[2]), int(argv[3])
    with HistoryStore.open(url) as store:
        if len(argv) > 4:  # one shard of a shared run
            run_id, index, total = argv[4], int(argv[5]), int(argv[6])
            items = [
                F("check", f"r.{index}-{n}", "fail" if n % 3 else "pass") for n in range(findings)
            ]
            record(store, report(items, started=night(1)), run_id=run_id, shard=(index, total))
            return
        for k in range(runs):
            items = [
                F("check", f"r.{name}-{n}", "fail" if n % 2 else "pass") for n in range(findings)
            ]
            record(store, report(items, started=night(k)), run_id=f"{name}-{k}")


if __name__ == "__main__":
    main(sys.argv[1:])
