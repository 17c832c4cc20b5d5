"""Wall time of comply alone, checkov alone, and comply --engine checkov (run concurrently).

    COMPLY_CHECKOV=/path/to/checkov python bench/bench_checkov.py [PATH]

PATH defaults to examples/terraform.

The issue's target: the combined run within 10% of checkov alone. Prints the numbers; asserts
nothing (the machine's load decides them)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, cwd=ROOT)
    return time.perf_counter() - started


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "examples/terraform"
    checkov = os.environ.get("COMPLY_CHECKOV", "checkov")
    comply = [sys.executable, "-m", "scanner", "scan", "terraform", path, "--no-cache"]
    comply += ["-o", "json"]
    alone = [checkov, "-d", path, "-o", "json", "--framework", "terraform", "secrets"]
    alone += ["--download-external-modules", "false", "--compact", "--skip-download"]
    results = {
        "comply alone": timed(comply),
        "checkov alone": timed(alone),
        "comply --engine checkov": timed([*comply, "--engine", "checkov"]),
    }
    for name, seconds in results.items():
        print(f"{name:26} {seconds:6.1f} s")
    ratio = results["comply --engine checkov"] / results["checkov alone"]
    print(f"combined / checkov alone   {ratio:6.2f}")


if __name__ == "__main__":
    main()
