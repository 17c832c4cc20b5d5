"""Time `comply scan kubernetes` on the generated manifest corpus.

    .venv/bin/python bench/generate_k8s_corpus.py
    .venv/bin/python bench/bench_kubernetes.py [--runs 3]

Each run is its own child process: `comply scan kubernetes bench/corpus-k8s -o json=<tmp>`,
timed from outside (wall clock) with its peak RSS from `os.wait4` (the kernel's ru_maxrss for
that one child; the Kubernetes source uses no worker processes). A separate child times the
loader alone (`load_kubernetes`: walk, parse, normalize), so the cost of checks and reports shows
as the difference. Targets for 10,000 objects: under 3 s and under 300 MB (checkov: 42.8 s,
1.3 GB). Prints a table and writes bench/results/kubernetes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_CORPUS = BENCH / "corpus-k8s"
DEFAULT_RESULTS = BENCH / "results" / "kubernetes.json"
TARGET_WALL_S = 3.0
TARGET_RSS_MB = 300.0

LOAD_ONLY = r"""
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from scanner.sources.kubernetes import load_kubernetes
from scanner.sources.kubernetes.documents import LIBYAML
result = load_kubernetes([Path(sys.argv[1])])
print(json.dumps({"seconds": time.perf_counter() - start, "objects": len(result.resources),
                  "files_scanned": result.files_scanned, "files_skipped": result.files_skipped,
                  "errors": len(result.errors), "libyaml": LIBYAML}))
"""


def measure(command: list[str]) -> dict[str, Any]:
    """Wall time, exit code, output and peak RSS of one child process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        out.seek(0)
        err.seek(0)
        return {
            "wall_s": round(wall, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # kilobytes on Linux
            "returncode": proc.returncode,
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace"),
        }


def scan_once(python: str, corpus: Path, report: Path) -> dict[str, Any]:
    report.unlink(missing_ok=True)  # a stale report must not pass for this run's
    command = [python, "-m", "scanner", "scan", "kubernetes", str(corpus), "-o", f"json={report}"]
    run = measure(command)
    run["command"] = " ".join(command)
    try:
        document = json.loads(report.read_text())
        run["summary"] = document["summary"]
        run["errors"] = len(document["errors"])
        run["warnings"] = len(document["warnings"])
    except (OSError, ValueError, KeyError) as exc:
        run["report_error"] = str(exc)
    if run["returncode"] not in (0, 1):
        run["stderr_tail"] = "\n".join(run["stderr"].strip().splitlines()[-10:])
    del run["stdout"], run["stderr"]
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--python", default=sys.executable, help="interpreter with comply")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json-out", type=Path, default=DEFAULT_RESULTS)
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    if not corpus.is_dir():
        print(f"no corpus at {corpus}; run bench/generate_k8s_corpus.py first", file=sys.stderr)
        return 2

    load = measure([args.python, "-c", LOAD_ONLY, str(corpus)])
    loaded = json.loads(load["stdout"].strip().splitlines()[-1]) if load["returncode"] == 0 else {}
    with tempfile.TemporaryDirectory(prefix="comply-bench-k8s-") as tmp:
        scans = [scan_once(args.python, corpus, Path(tmp, "x.json")) for _ in range(args.runs)]

    ok = [s for s in scans if s["returncode"] in (0, 1) and "report_error" not in s]
    walls = [s["wall_s"] for s in ok]
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "corpus": str(corpus),
        "load_only": {
            **loaded,
            "process_wall_s": load["wall_s"],
            "peak_rss_mb": load["peak_rss_mb"],
        },
        "scans": scans,
        "median_wall_s": statistics.median(walls) if walls else None,
        "max_peak_rss_mb": max((s["peak_rss_mb"] for s in ok), default=None),
        "targets": {"wall_s": TARGET_WALL_S, "peak_rss_mb": TARGET_RSS_MB},
    }

    print(f"\ncorpus: {corpus}")
    if loaded:
        print(
            f"  {loaded['objects']} objects, {loaded['files_scanned']} files "
            f"({loaded['files_skipped']} without objects), {loaded['errors']} errors, "
            f"libyaml: {loaded['libyaml']}"
        )
    print(f"{'measurement':<36}{'seconds':>10}{'peak RSS MB':>14}")
    print("-" * 60)
    if loaded:
        print(f"{'load_kubernetes only (in process)':<36}{loaded['seconds']:>10.2f}")
    print(
        f"{'load_kubernetes, whole process':<36}{load['wall_s']:>10.2f}{load['peak_rss_mb']:>14.1f}"
    )
    for index, run in enumerate(scans, 1):
        note = f"exit {run['returncode']}, {run.get('summary', run.get('report_error'))}"
        print(
            f"{f'comply scan kubernetes, run {index}':<36}{run['wall_s']:>10.2f}"
            f"{run['peak_rss_mb']:>14.1f}  {note}"
        )
    print("-" * 60)
    median, peak = results["median_wall_s"], results["max_peak_rss_mb"]
    if median is not None and peak is not None:
        print(
            f"median wall {median:.2f} s (target < {TARGET_WALL_S} s): "
            f"{'ok' if median < TARGET_WALL_S else 'MISSED'}"
        )
        print(
            f"peak RSS {peak:.1f} MB (target < {TARGET_RSS_MB:.0f} MB): "
            f"{'ok' if peak < TARGET_RSS_MB else 'MISSED'}"
        )
    for run in scans:
        if "stderr_tail" in run or "report_error" in run:
            print(
                f"warning: a scan did not complete: {run.get('stderr_tail') or run['report_error']}"
            )
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.json_out}")
    return 0 if len(ok) == len(scans) else 1


if __name__ == "__main__":
    sys.exit(main())
