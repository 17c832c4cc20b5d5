"""Wall time of comply alone, checkov alone, and comply --engine checkov (run concurrently).

    COMPLY_CHECKOV=/path/to/checkov python bench/bench_checkov.py [PATH] [--rounds N]

PATH defaults to examples/terraform; the issue's corpus is `bench/generate_corpus.py` (700 files).

The issue's target: the combined run within 10% of checkov alone. Each round runs the three
commands one after the other and prints wall and CPU seconds (CPU: user + system of the process
and its children, which the machine's load does not inflate as it does wall time). Then:

- "what comply adds": checkov replaced by a script that sleeps as long as checkov alone took and
  prints the report checkov printed. comply's own scan is over long before, so the wall time past
  the sleep is what comply adds to checkov: its start before checkov is launched, and the merge,
  roll-up and reports after checkov exits. No competition for the cores from checkov there.

Prints the numbers and the load average; asserts nothing (the machine's load decides them)."""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, bytes]:
    """Wall seconds, CPU seconds of the command's process tree, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, cwd=ROOT, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="examples/terraform")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    checkov = os.environ.get("COMPLY_CHECKOV", "checkov")
    comply = [sys.executable, "-m", "scanner", "scan", "terraform", args.path, "--no-cache"]
    comply += ["-o", "json"]
    alone = [checkov, "-d", args.path, "-o", "json", "--framework", "terraform", "secrets"]
    alone += ["--download-external-modules", "false", "--compact", "--skip-download"]
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    rows: dict[str, list[tuple[float, float]]] = {}
    checkov_output = b""
    for _ in range(args.rounds):
        for name, command in (
            ("comply alone", comply),
            ("checkov alone", alone),
            ("comply --engine checkov", [*comply, "--engine", "checkov"]),
        ):
            wall, cpu, stdout = timed(command)
            rows.setdefault(name, []).append((wall, cpu))
            if name == "checkov alone":
                checkov_output = stdout
    for name, values in rows.items():
        walls = ", ".join(f"{w:.1f}" for w, _ in values)
        cpus = ", ".join(f"{c:.1f}" for _, c in values)
        print(f"{name:26} wall {walls} s; CPU {cpus} s")
    ratios = [
        combined[0] / checkov_alone[0]
        for combined, checkov_alone in zip(
            rows["comply --engine checkov"], rows["checkov alone"], strict=True
        )
    ]
    print(f"combined / checkov alone   {', '.join(f'{r:.2f}' for r in ratios)}", end="")
    print(f" (median {statistics.median(ratios):.2f})")
    print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    checkov_seconds = statistics.median(w for w, _ in rows["checkov alone"])
    _what_comply_adds(comply, checkov_output, checkov_seconds)


def _what_comply_adds(comply: list[str], output: bytes, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        report.write_bytes(output)
        script = Path(folder) / "checkov"
        script.write_text(f"#!/bin/sh\nsleep {seconds:.2f}\ncat '{report}'\nexit 1\n")
        script.chmod(0o755)
        env = {**os.environ, "COMPLY_CHECKOV": str(script)}
        wall, cpu, _ = timed([*comply, "--engine", "checkov"], env)
    print(
        f"what comply adds to a {seconds:.1f} s checkov (replayed, {len(output) / 1e6:.0f} MB of "
        f"JSON): {wall - seconds:.2f} s wall ({(wall - seconds) / seconds:.1%}); CPU {cpu:.1f} s"
    )


if __name__ == "__main__":
    main()
