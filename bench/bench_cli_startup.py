"""How long `comply --help` takes to start, against a bare interpreter (target: under 0.2 s).

    python bench/bench_cli_startup.py [runs]

Prints the median wall time of `python -m scanner --help`, of `python -c pass` for comparison,
and the heavy modules the help imports (there should be none: commands import what they need
when they run).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("yaml", "jinja2", "boto3", "botocore", "rich", "hcl2", "scanner.evidence.builder")


def median_seconds(arguments: list[str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of the child process. CPU time is
    what start-up costs on a machine that is not shared; wall time includes waiting for a core."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, *arguments], cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return statistics.median(walls), statistics.median(cpus)


def heavy_modules_loaded() -> list[str]:
    probe = (
        "import sys\n"
        "from scanner.cli.main import cli\n"
        "try:\n"
        "    cli.main(['--help'], prog_name='comply')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    line = next(li for li in out.splitlines() if li.startswith("loaded:"))
    return [m for m in line.removeprefix("loaded:").split(",") if m]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    bare_wall, bare_cpu = median_seconds(["-c", "pass"], runs)
    wall, cpu = median_seconds(["-m", "scanner", "--help"], runs)
    print(f"median of {runs} runs          wall      cpu")
    print(f"python -c pass           {bare_wall * 1000:6.0f} ms {bare_cpu * 1000:6.0f} ms")
    print(f"comply --help            {wall * 1000:6.0f} ms {cpu * 1000:6.0f} ms")
    print(
        f"comply's own start-up    {max(wall - bare_wall, 0) * 1000:6.0f} ms "
        f"{max(cpu - bare_cpu, 0) * 1000:6.0f} ms"
    )
    print(f"heavy modules imported   {', '.join(heavy_modules_loaded()) or 'none'}")


if __name__ == "__main__":
    main()
