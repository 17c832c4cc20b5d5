"""Time `comply scan terraform` against parse-only python-hcl2 on the same corpus.

    .venv/bin/python bench/generate_corpus.py
    .venv/bin/python bench/bench_terraform.py --hcl2-8-python /tmp/h8/bin/python

Every measurement runs in its own child process, timed from outside (wall clock) and, for the
parse-only runs, from inside (parse loop only). Peak memory comes from `os.wait4` on that one
child (the kernel's ru_maxrss, the largest single process of its tree) and from sampling the RSS
of the whole process tree, which is what counts if the scanner uses worker processes.
Prints a table and writes bench/results/terraform.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_CORPUS = BENCH / "corpus"
DEFAULT_COMPLY = REPO / ".venv" / "bin" / "comply"
DEFAULT_RESULTS = BENCH / "results" / "terraform.json"

# Targets from the design: a cold scan costs at most 1.5x parsing alone, a warm (cached) scan at
# most 0.3x, and the scan stays under 400 MB.
TARGET_COLD_RATIO = 1.5
TARGET_WARM_RATIO = 0.3
TARGET_RSS_MB = 400.0

SAMPLE_INTERVAL_S = 0.05
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# Runs in the interpreter under test, so that 7.x and 8.x are each timed in their own process.
# The two major versions spell line metadata differently; both are asked for it, because comply
# needs line numbers and the metadata costs time.
PARSE_SCRIPT = r"""
import json, sys, time
from importlib.metadata import version
from pathlib import Path
import hcl2

try:
    from hcl2.utils import SerializationOptions  # python-hcl2 >= 8
    kwargs = {"serialization_options": SerializationOptions(with_meta=True)}
except ImportError:
    kwargs = {"with_meta": True}

files = sorted(Path(sys.argv[1]).rglob("*.tf"))
failed, first_error = 0, None
start = time.perf_counter()
for path in files:
    try:
        with open(path, encoding="utf-8") as handle:
            hcl2.load(handle, **kwargs)
    except Exception as exc:
        failed += 1
        first_error = first_error or f"{path}: {type(exc).__name__}: {exc}"[:300]
seconds = time.perf_counter() - start
print(json.dumps({"version": version("python-hcl2"), "files": len(files), "failed": failed,
                  "first_error": first_error, "seconds": seconds}))
"""


@dataclass
class Measurement:
    """One child process, measured from outside."""

    command: list[str]
    wall_s: float
    returncode: int
    # Kernel ru_maxrss: the largest single process among the child and its waited-for children.
    peak_rss_mb: float
    tree_peak_rss_mb: float  # sampled sum over the live process tree (workers included)
    stdout: str = field(repr=False)
    stderr: str = field(repr=False)


# --- measuring a child ----------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    """ppid -> pids, from /proc (Linux only; elsewhere the tree sample is just skipped)."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # The command name is in parentheses and may contain spaces: split after the last ")".
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _tree_rss_bytes(root: int) -> int:
    tree, total, todo = _children_map(), 0, [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):  # it ended while we looked
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
        todo.extend(tree.get(pid, []))
    return total


class _TreeSampler(threading.Thread):
    """Samples the RSS of a process tree until stopped; keeps the maximum."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak = root, 0
        self._done = threading.Event()

    def run(self) -> None:
        if not Path("/proc").is_dir():
            return
        while not self._done.is_set():
            self.peak = max(self.peak, _tree_rss_bytes(self.root))
            self._done.wait(SAMPLE_INTERVAL_S)

    def stop(self) -> None:
        self._done.set()
        self.join()


def measure(command: list[str], cwd: Path | None = None) -> Measurement:
    """Run a command; wall time and peak RSS of that child alone.

    os.wait4 returns the rusage of this one child, unlike getrusage(RUSAGE_CHILDREN), which is a
    maximum over every child this process ever waited for (earlier measurements included).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd)
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    kernel_peak = usage.ru_maxrss * 1024  # kilobytes on Linux
    return Measurement(
        command=command,
        wall_s=wall,
        returncode=proc.returncode,
        peak_rss_mb=kernel_peak / 2**20,
        tree_peak_rss_mb=max(sampler.peak, kernel_peak) / 2**20,
        stdout=stdout,
        stderr=stderr,
    )


# --- the runs -------------------------------------------------------------------------------------


def parse_only(python: str, corpus: Path) -> dict[str, Any]:
    """Parse every .tf file with the python-hcl2 installed in `python`, in one process."""
    run = measure([python, "-c", PARSE_SCRIPT, str(corpus)])
    if run.returncode != 0:
        return {"python": python, "error": _tail(run.stderr), "returncode": run.returncode}
    inner = json.loads(run.stdout.strip().splitlines()[-1])
    return {
        "python": python,
        "hcl2_version": inner["version"],
        "files": inner["files"],
        "failed": inner["failed"],
        "first_error": inner["first_error"],
        "parse_s": round(inner["seconds"], 3),
        "process_wall_s": round(run.wall_s, 3),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
    }


def scan(
    comply: str, corpus: Path, cache_dir: Path, out_json: Path, extra: list[str]
) -> dict[str, Any]:
    command = [comply, "scan", "terraform", str(corpus)]
    command += ["-o", f"json={out_json}", "--cache-dir", str(cache_dir), *extra]
    out_json.unlink(missing_ok=True)  # a stale report must not pass for this run's
    run = measure(command)
    result: dict[str, Any] = {
        "command": " ".join(command),
        "returncode": run.returncode,
        "wall_s": round(run.wall_s, 3),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "tree_peak_rss_mb": round(run.tree_peak_rss_mb, 1),
    }
    # Exit 1 only means findings failed (expected on this corpus); 2 means the scan was
    # incomplete, which makes the timing meaningless, so show why.
    if run.returncode not in (0, 1):
        result["stderr_tail"] = _tail(run.stderr)
    result.update(_report_summary(out_json))
    return result


def _report_summary(path: Path) -> dict[str, Any]:
    """What the scan found: proof that it did the work, and that warm equals cold."""
    try:
        report = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return {"report_error": f"{path}: {exc}"}
    findings = report.get("findings", [])
    return {
        "summary": report.get("summary"),
        "findings": len(findings),
        "resources": len({f.get("resource", {}).get("id") for f in findings}),
        "errors": len(report.get("errors", [])),
    }


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def find_comply(requested: str | None) -> str | None:
    if requested:
        return requested if Path(requested).exists() or shutil.which(requested) else None
    if DEFAULT_COMPLY.exists():
        return str(DEFAULT_COMPLY)
    return shutil.which("comply")


# --- report ---------------------------------------------------------------------------------------


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    """Scan time over the parse loop of python-hcl2 7.3.1 (startup excluded: the strict base)."""
    base = results["parse_only"]["hcl2_7"].get("parse_s")
    cold, warm = _valid(results.get("scan_cold")), _valid(results.get("scan_warm"))
    out: dict[str, Any] = {}
    if base and cold:
        out["cold_over_parse"] = round(cold["wall_s"] / base, 2)
    if base and warm:
        out["warm_over_parse"] = round(warm["wall_s"] / base, 2)
    if cold:
        peak = max(cold["tree_peak_rss_mb"], (warm or cold)["tree_peak_rss_mb"])
        out["peak_rss_mb"] = peak
    out["targets"] = {
        "cold_over_parse": TARGET_COLD_RATIO,
        "warm_over_parse": TARGET_WARM_RATIO,
        "peak_rss_mb": TARGET_RSS_MB,
    }
    return out


def _valid(run: dict[str, Any] | None) -> dict[str, Any] | None:
    """A scan that failed or wrote no report did not do the work: its time proves nothing."""
    if run is None or run["returncode"] not in (0, 1) or "report_error" in run:
        return None
    return run


def _verdict(value: float | None, target: float, strict_less: bool = False) -> str:
    if value is None:
        return "n/a"
    ok = value < target if strict_less else value <= target
    return "ok" if ok else "MISSED"


def print_table(results: dict[str, Any]) -> None:
    corpus = results["corpus"]
    print(f"\ncorpus: {corpus['path']}  ({corpus['files']} .tf files, {corpus['lines']} lines)")
    print(f"{'measurement':<34}{'seconds':>10}{'peak RSS MB':>14}  notes")
    print("-" * 78)
    for key, parsed in results["parse_only"].items():
        if "error" in parsed:
            print(f"parse-only {key:<23}{'failed':>10}{'':>14}  {parsed['error'][:60]}")
            continue
        label = f"parse-only hcl2 {parsed['hcl2_version']}"
        note = f"process {parsed['process_wall_s']:.2f} s, {parsed['failed']} files failed"
        print(f"{label:<34}{parsed['parse_s']:>10.2f}{parsed['peak_rss_mb']:>14.1f}  {note}")
    for key, label in (("scan_cold", "comply scan, cold cache"), ("scan_warm", "warm cache")):
        run = results.get(key)
        if run:
            note = f"exit {run['returncode']}, findings {run.get('findings', '?')}"
            print(f"{label:<34}{run['wall_s']:>10.2f}{run['tree_peak_rss_mb']:>14.1f}  {note}")
    if results.get("scan_skipped"):
        print(f"comply scan: skipped ({results['scan_skipped']})")
    r = results["ratios"]
    print("-" * 78)
    for name, target, strict in (
        ("cold_over_parse", TARGET_COLD_RATIO, False),
        ("warm_over_parse", TARGET_WARM_RATIO, False),
        ("peak_rss_mb", TARGET_RSS_MB, True),
    ):
        value = r.get(name)
        shown = "n/a" if value is None else f"{value:.2f}"
        sign = "<" if strict else "<="
        print(
            f"{name:<34}{shown:>10}   target {sign} {target:<8} {_verdict(value, target, strict)}"
        )
    for warning in results["warnings"]:
        print(f"warning: {warning}")


# --- main -----------------------------------------------------------------------------------------


def corpus_stats(corpus: Path) -> dict[str, Any]:
    files = sorted(corpus.rglob("*.tf"))
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    return {"path": str(corpus), "files": len(files), "lines": lines}


def check_consistency(results: dict[str, Any]) -> list[str]:
    """Numbers that would be misleading if reported without a word."""
    warnings = []
    for key, parsed in results["parse_only"].items():
        if parsed.get("failed"):
            warnings.append(
                f"{key}: {parsed['failed']} files failed to parse: {parsed['first_error']}"
            )
    cold, warm = results.get("scan_cold"), results.get("scan_warm")
    for run in (cold, warm):
        if run and run["returncode"] not in (0, 1):
            warnings.append(f"scan exited {run['returncode']}: {run.get('stderr_tail', '')}")
        if run and "report_error" in run:
            warnings.append(f"no JSON report: {run['report_error']}")
    if cold and warm and cold.get("summary") != warm.get("summary"):
        warnings.append(f"warm summary {warm.get('summary')} != cold {cold.get('summary')}")
    if cold and cold["tree_peak_rss_mb"] > cold["peak_rss_mb"] * 1.1:
        warnings.append("the scan used several processes: peak RSS is the sampled tree total")
    return warnings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="dir of .tf files")
    parser.add_argument("--comply", help=f"comply executable (default {DEFAULT_COMPLY})")
    parser.add_argument(
        "--hcl2-python", default=sys.executable, help="interpreter with python-hcl2 7.3.1"
    )
    parser.add_argument("--hcl2-8-python", help="interpreter with python-hcl2 8.x, to compare")
    parser.add_argument("--skip-scan", action="store_true", help="parse-only numbers only")
    parser.add_argument(
        "--scan-args",
        default="",
        help='extra arguments for both scans, e.g. "--jobs 1" to compare with one process',
    )
    parser.add_argument("--json-out", type=Path, default=DEFAULT_RESULTS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    corpus = args.corpus.resolve()
    if not corpus.is_dir() or not any(corpus.rglob("*.tf")):
        print(f"no .tf files under {corpus}; run bench/generate_corpus.py first", file=sys.stderr)
        return 2
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "corpus": corpus_stats(corpus),
        "parse_only": {"hcl2_7": parse_only(args.hcl2_python, corpus)},
    }
    if args.hcl2_8_python:
        results["parse_only"]["hcl2_8"] = parse_only(args.hcl2_8_python, corpus)

    comply = None if args.skip_scan else find_comply(args.comply)
    if comply:
        with tempfile.TemporaryDirectory(prefix="comply-bench-") as tmp:
            cache, out = Path(tmp, "cache"), Path(tmp, "out.json")
            cache.mkdir()  # empty: the first scan is cold
            extra = shlex.split(args.scan_args)
            results["scan_cold"] = scan(comply, corpus, cache, out, extra)
            results["scan_warm"] = scan(comply, corpus, cache, out, extra)
    else:
        results["scan_skipped"] = "--skip-scan" if args.skip_scan else "comply not found"

    results["ratios"] = ratios(results)
    results["warnings"] = check_consistency(results)
    print_table(results)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.json_out}")
    # A scan that ran but did not complete is a failed benchmark, not a fast one.
    scans = [results.get("scan_cold"), results.get("scan_warm")]
    return 1 if any(run and not _valid(run) for run in scans) else 0


if __name__ == "__main__":
    sys.exit(main())
