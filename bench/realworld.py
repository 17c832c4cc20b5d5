"""How comply does on real Terraform: findings, unknowns and time per public repository.

    .venv/bin/python bench/realworld.py                       # every repo under the corpus folder
    .venv/bin/python bench/realworld.py --unknowns            # + every unknown, with its resource
    .venv/bin/python bench/realworld.py --repo terraform-aws-eks --warm --json /tmp/rw.json

For every repository (each sub-folder of the corpus folder; default `../shared/corpus/terraform`
next to the project, see /work/shared/corpus/README.md) it runs `comply scan terraform REPO -o
json=...` as a user would (a child process running this checkout's code, cold cache) and prints
pass/fail/unknown/error counts, load errors, exit code and wall time, beside the time python-hcl2
alone takes to parse the same files (one child process, parse loop only, `with_meta=True` as
comply asks). Then the overall unknown share of pass+fail+unknown and a histogram of why findings
are unknown, their messages normalised into reason classes.

The issue's target: unknown at most 3% of pass+fail+unknown, no `error` finding, every exit 0 or 1.
Nothing here asserts anything: it prints numbers (and exits 1 only when it could not measure).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))  # this checkout's scanner, for the file walk

from scanner.sources.terraform.files import config_files_in, walk_config_dirs  # noqa: E402

STATUSES = ("pass", "fail", "unknown", "error", "skipped")
TARGET_UNKNOWN_SHARE = 0.03

# Runs in a child: parses the files named on stdin the way comply asks python-hcl2 to.
PARSE_SCRIPT = r"""
import json, sys, time
import hcl2
paths = [line for line in sys.stdin.read().splitlines() if line]
failed = 0
start = time.perf_counter()
for path in paths:
    try:
        with open(path, encoding="utf-8") as handle:
            if path.endswith(".json"):
                json.load(handle)
            else:
                hcl2.load(handle, with_meta=True)
    except Exception:
        failed += 1
print(json.dumps({"files": len(paths), "failed": failed, "seconds": time.perf_counter() - start}))
"""


# --- reason classes -------------------------------------------------------------------------------

# First match wins. Each class names a cause, so the histogram says what to fix (or why it is
# right to stay unknown). Order: the specific before the general.
REASON_CLASSES: list[tuple[str, re.Pattern[str]]] = [
    (
        "remote module not installed (registry/git source)",
        re.compile(r"is not loaded \(remote source"),
    ),
    ("module not loaded", re.compile(r"is not loaded \(")),
    (
        "count/for_each instance value (each.*, count.index)",
        re.compile(r"each\.key/each\.value|count\.index|differ per instance"),
    ),
    ("expression not parsed", re.compile(r"cannot parse|unexpected character|unexpected token")),
    ("try() with no succeeding argument", re.compile(r"no argument of try\(\)")),
    ("unknown reference (e.g. dynamic iterator)", re.compile(r"unknown reference")),
    ("null interpolated into a string", re.compile(r"cannot interpolate a null")),
    ("attribute missing from an object", re.compile(r"no attribute ")),
    ("index out of range / missing key", re.compile(r"index|no key|out of range")),
    ("reference cycle", re.compile(r"reference cycle")),
    (
        "value computed at apply (resource attribute)",
        re.compile(r"computed value|known after apply|ComputedRef|only known at apply"),
    ),
    ("data source output", re.compile(r"\bdata\.[a-z0-9_]+\.")),
    ("variable without a value", re.compile(r"var\.[A-Za-z0-9_-]+ has no value")),
    ("terraform.workspace", re.compile(r"terraform\.workspace")),
    ("function not supported", re.compile(r"function|not supported|unsupported")),
]

_QUOTED = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"")
_ADDRESS = re.compile(
    r"\b(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:data\.)?aws_\w+\.[\w-]+(?:\[[^\]]*\])?"
)
_NUMBER = re.compile(r"\b\d+\b")


def reason_class(message: str) -> str:
    """The class of an unknown's message: a named cause, or the message with its particulars
    (expressions, names, addresses, numbers) replaced so that like messages count together."""
    for name, pattern in REASON_CLASSES:
        if pattern.search(message):
            return name
    text = message.split(" is unknown: ", 1)[-1].removeprefix("could not evaluate: ")
    text = _QUOTED.sub("<x>", text)
    text = _ADDRESS.sub("<address>", text)
    return "other: " + _NUMBER.sub("N", text)[:100]


# --- one repository -------------------------------------------------------------------------------


@dataclass
class RepoResult:
    name: str
    files: int
    exit_code: int | None
    scan_s: float
    warm_s: float | None
    parse_s: float | None
    parse_failed: int
    summary: dict[str, int]
    load_errors: list[str]
    warnings: int
    unknowns: list[dict[str, str]] = field(default_factory=list)
    problem: str = ""  # why this repository could not be measured


def terraform_files(repo: Path) -> list[Path]:
    """The files comply reads: every config file of every directory its walk visits."""
    return [file for directory in walk_config_dirs(repo) for file in config_files_in(directory)]


def parse_only(files: list[Path]) -> tuple[float | None, int]:
    proc = subprocess.run(
        [sys.executable, "-c", PARSE_SCRIPT],
        input="\n".join(str(f) for f in files),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print(f"  parse-only failed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
        return None, len(files)
    result = json.loads(proc.stdout)
    return float(result["seconds"]), int(result["failed"])


def run_scan(repo: Path, out: Path, cache: Path, extra: list[str]) -> tuple[int, float, str]:
    command = [sys.executable, "-m", "scanner", "scan", "terraform", str(repo)]
    command += ["-o", f"json={out}", "--cache-dir", str(cache), *extra]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    return proc.returncode, time.perf_counter() - start, proc.stderr


def measure_repo(repo: Path, warm: bool, extra: list[str]) -> RepoResult:
    files = terraform_files(repo)
    parse_s, parse_failed = parse_only(files)
    with tempfile.TemporaryDirectory(prefix="comply-realworld-") as tmp:
        out, cache = Path(tmp) / "findings.json", Path(tmp) / "cache"
        code, scan_s, stderr = run_scan(repo, out, cache, extra)
        warm_s = None
        if warm:
            out.unlink(missing_ok=True)
            _code, warm_s, _stderr = run_scan(repo, out, cache, extra)
        try:
            report = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problem = f"no JSON report ({exc}); stderr: {stderr.strip()[-300:]}"
            return RepoResult(
                repo.name, len(files), code, scan_s, warm_s, parse_s, parse_failed, {}, [], 0,
                problem=problem,
            )  # fmt: skip
    unknowns = [
        {
            "resource": finding["resource"]["id"],
            "check": finding["check_id"],
            "message": finding["message"],
            "reason": reason_class(finding["message"]),
        }
        for finding in report["findings"]
        if finding["status"] == "unknown"
    ]
    return RepoResult(
        name=repo.name,
        files=len(files),
        exit_code=code,
        scan_s=scan_s,
        warm_s=warm_s,
        parse_s=parse_s,
        parse_failed=parse_failed,
        summary={status: int(report["summary"].get(status, 0)) for status in STATUSES},
        load_errors=[f"{e['target']}: {e['message']}" for e in report.get("errors", [])],
        warnings=len(report.get("warnings", [])),
        unknowns=unknowns,
    )


# --- printing -------------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def print_table(results: list[RepoResult]) -> None:
    header = (
        f"{'repository':<28} {'files':>5} {'pass':>5} {'fail':>5} {'unkn':>5} {'error':>5} "
        f"{'loaderr':>7} {'exit':>4} {'scan s':>7} {'warm s':>7} {'parse s':>7} {'scan/parse':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        s = r.summary
        ratio = f"{r.scan_s / r.parse_s:.2f}x" if r.parse_s else "n/a"
        print(
            f"{r.name:<28} {r.files:>5} {s.get('pass', 0):>5} {s.get('fail', 0):>5} "
            f"{s.get('unknown', 0):>5} {s.get('error', 0):>5} {len(r.load_errors):>7} "
            f"{r.exit_code if r.exit_code is not None else '-':>4} {r.scan_s:>7.2f} "
            f"{_seconds(r.warm_s):>7} {_seconds(r.parse_s):>7} {ratio:>10}"
        )
        if r.problem:
            print(f"  !! {r.problem}")
        if r.parse_failed:
            print(f"  note: python-hcl2 alone failed on {r.parse_failed} file(s)")
        for error in r.load_errors:
            print(f"  load error: {error[:200]}")


def print_totals(results: list[RepoResult]) -> None:
    totals = Counter[str]()
    for r in results:
        totals.update(r.summary)
    judged = totals["pass"] + totals["fail"] + totals["unknown"]
    share = totals["unknown"] / judged if judged else 0.0
    scan = sum(r.scan_s for r in results)
    parse = sum(r.parse_s or 0.0 for r in results)
    print()
    print(
        f"total: pass {totals['pass']}, fail {totals['fail']}, unknown {totals['unknown']}, "
        f"error {totals['error']}, skipped {totals['skipped']}; "
        f"load errors {sum(len(r.load_errors) for r in results)}"
    )
    print(
        f"unknown share of pass+fail+unknown: {totals['unknown']}/{judged} = {share:.1%} "
        f"(target <= {TARGET_UNKNOWN_SHARE:.0%})"
    )
    bad_exits = [r.name for r in results if r.exit_code not in (0, 1)]
    print(f"exit codes other than 0/1: {', '.join(bad_exits) if bad_exits else 'none'}")
    ratio = f" ({scan / parse:.2f}x)" if parse else ""
    print(f"time: scan {scan:.2f} s, python-hcl2 parse-only {parse:.2f} s{ratio}")


def print_histogram(results: list[RepoResult]) -> None:
    counts = Counter(u["reason"] for r in results for u in r.unknowns)
    if not counts:
        print("\nno unknown findings")
        return
    example: dict[str, str] = {}
    for r in results:
        for u in r.unknowns:
            example.setdefault(u["reason"], u["message"])
    print("\nunknown reasons:")
    for reason, count in counts.most_common():
        print(f"  {count:>5}  {reason}")
        print(f"         e.g. {example[reason][:160]!r}")


def print_unknowns(results: list[RepoResult]) -> None:
    print("\nevery unknown:")
    for r in results:
        for u in sorted(r.unknowns, key=lambda u: (u["resource"], u["check"])):
            print(f"  {r.name}  {u['resource']}  {u['check']}")
            print(f"      [{u['reason']}] {u['message']}")


def default_corpus() -> Path:
    """`../shared/corpus/terraform` next to the project (also from a worktree nested below it)."""
    for parent in [REPO, *REPO.parents]:
        candidate = parent.parent / "shared" / "corpus" / "terraform"
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "corpus" / "terraform"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=None, help="folder of repositories")
    parser.add_argument("--repo", action="append", default=[], help="only this repository")
    parser.add_argument("--unknowns", action="store_true", help="print every unknown finding")
    parser.add_argument("--warm", action="store_true", help="scan again with the warm cache")
    parser.add_argument("--scan-args", default="", help='extra scan arguments, e.g. "--jobs 1"')
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    corpus = args.corpus or default_corpus()
    if not corpus.is_dir():
        print(f"skipped: no corpus folder at {corpus} (see /work/shared/corpus/README.md)")
        return 0
    repos = sorted(p for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    if args.repo:
        repos = [p for p in repos if p.name in args.repo]
    if not repos:
        print(f"skipped: no repository folders in {corpus}")
        return 0
    print(f"corpus: {corpus}")
    results = []
    for repo in repos:
        print(f"scanning {repo.name} ...", file=sys.stderr)
        results.append(measure_repo(repo, args.warm, args.scan_args.split()))
    print_table(results)
    print_totals(results)
    print_histogram(results)
    if args.unknowns:
        print_unknowns(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 1 if any(r.problem for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
