"""Kubernetes at scale: 30,000 objects in 30 files and in 13,000 files, against PyYAML.

    .venv/bin/python bench/bench_kubernetes_scale.py [--objects 30000] [--keep DIR]

Generates the objects with bench/generate_k8s_corpus.py (same seed, same bytes), then lays the
same documents out twice: packed into 30 files (rendered installs) and spread over 13,000 files
(a large GitOps repository). For each layout, each in its own child process:

- `pyyaml C loader`: `yaml.load_all(text, Loader=yaml.CSafeLoader)` over every file, the floor
  any YAML scanner pays;
- `comply load`: `load_kubernetes([DIR])`, i.e. walk, parse with lines, normalize;
- `comply scan`: `comply scan kubernetes DIR -o json=<tmp>`, checks and report included.

CPU is user + system time of the child (`os.wait4`), so a busy machine inflates it less than wall
time; peak RSS is the child's high-water mark (VmHWM) as it reports it at exit. Targets (issue
13): scan CPU under 3x the PyYAML C-loader CPU for the same files, and under 500 MB. Prints a
table; nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from generate_k8s_corpus import generate  # noqa: E402

TARGET_CPU_RATIO = 3.0
TARGET_RSS_MB = 500.0

PYYAML = r"""
import sys, yaml
from pathlib import Path
count = 0
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    count += sum(1 for d in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader) if d)
print(count)
"""

LOAD_ONLY = r"""
import sys
from pathlib import Path
from scanner.sources.kubernetes import load_kubernetes
result = load_kubernetes([Path(sys.argv[1])])
print(len(result.resources), len(result.errors))
"""


def documents_of(corpus: Path) -> list[str]:
    """Every document of the generated corpus, in file order (helm streams keep `# Source:`)."""
    docs: list[str] = []
    for path in sorted(corpus.rglob("*.yaml")):
        text = path.read_text()
        if "apiVersion" not in text:
            continue
        docs.extend(part for part in text.split("\n---\n") if part.strip().strip("-").strip())
    return docs


def lay_out(docs: list[str], out: Path, files: int) -> Path:
    if out.exists():
        shutil.rmtree(out)
    per_file = -(-len(docs) // files)
    for index in range(files):
        chunk = docs[index * per_file : (index + 1) * per_file]
        if not chunk:
            break
        folder = out / f"part-{index // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"objects-{index:05d}.yaml").write_text("\n---\n".join(chunk) + "\n")
    return out


# Peak RSS as the child's own kernel counter (VmHWM of its address space, after exec) reports it
# at exit: `os.wait4`'s ru_maxrss proved unreliable here (it showed an earlier, larger child's).
PEAK = (
    "import atexit, sys\n"
    "def _peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('\\nPEAK_KB=' + line.split()[1] + '\\n')\n"
    "atexit.register(_peak)\n"
)
SCAN = "import sys\nfrom scanner.cli.main import main\nsys.argv[0] = 'comply'\nmain()\n"


def peak_mb(stderr: str) -> float | None:
    marks = [line for line in stderr.splitlines() if line.startswith("PEAK_KB=")]
    return round(int(marks[-1].removeprefix("PEAK_KB=")) / 1024, 1) if marks else None


def measure(command: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        return {
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "wall_s": round(wall, 2),
            "peak_rss_mb": peak_mb(stderr) or round(usage.ru_maxrss / 1024, 1),
            "returncode": os.waitstatus_to_exitcode(status),
            "stdout": out.read().decode(errors="replace").strip()[-300:],
            "stderr": stderr.strip()[-300:],
        }


def bench_layout(python: str, folder: Path) -> dict[str, Any]:
    report = folder.parent / f"{folder.name}-report.json"
    scan = [python, "-c", PEAK + SCAN, "scan", "kubernetes", str(folder), "-o", f"json={report}"]
    rows = {
        "pyyaml C loader": measure([python, "-c", PEAK + PYYAML, str(folder)]),
        "comply load": measure([python, "-c", PEAK + LOAD_ONLY, str(folder)]),
        "comply scan": measure(scan),
    }
    try:
        rows["comply scan"]["resources"] = len(json.loads(report.read_text())["resources"])
    except (OSError, ValueError, KeyError) as exc:
        rows["comply scan"]["report_error"] = str(exc)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=30_000)
    parser.add_argument("--layouts", default="30,13000", help="file counts, comma-separated")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare is not None:
        apps, total = generate(args.prepare / "generated", args.objects, 1)
        docs = documents_of(args.prepare / "generated")
        for files in (int(n) for n in args.layouts.split(",")):
            lay_out(docs, args.prepare / f"in-{files}-files", files)
        print(f"{total} objects generated in {apps} apps: {len(docs)} documents laid out")
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="comply-k8s-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    layouts = [int(n) for n in args.layouts.split(",")]
    prepare = [args.python, __file__, "--prepare", str(work), "--objects", str(args.objects)]
    subprocess.run([*prepare, "--layouts", args.layouts], check=True)
    failed = False
    for files in layouts:
        folder = work / f"in-{files}-files"
        rows = bench_layout(args.python, folder)
        floor = rows["pyyaml C loader"]["cpu_s"] or 0.01
        print(f"\n{args.objects:,} objects in {files:,} files")
        print(f"  {'':18} {'cpu s':>8} {'wall s':>8} {'rss MB':>8} {'cpu / pyyaml':>13}")
        for name, row in rows.items():
            ratio = row["cpu_s"] / floor
            print(
                f"  {name:18} {row['cpu_s']:8.2f} {row['wall_s']:8.2f} "
                f"{row['peak_rss_mb']:8.1f} {ratio:13.2f}"
            )
            if row["returncode"] not in (0, 1):
                failed = True
                print(f"    exit {row['returncode']}: {row['stderr']}")
        scan = rows["comply scan"]
        ok = scan["cpu_s"] / floor < TARGET_CPU_RATIO and scan["peak_rss_mb"] < TARGET_RSS_MB
        print(
            f"  target: scan cpu < {TARGET_CPU_RATIO:.0f}x pyyaml and < {TARGET_RSS_MB:.0f} MB: "
            f"{'met' if ok else 'NOT met'} (resources in report: {scan.get('resources')})"
        )
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
