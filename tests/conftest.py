from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"


@dataclass
class CompletedScan:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_comply(*args: str | Path, cwd: Path | None = None) -> CompletedScan:
    """Run the real command line in a child process, as a user or CI would."""
    process = subprocess.run(
        [sys.executable, "-m", "scanner", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(REPO_ROOT / ".pytest_cache" / "home"),
            # This checkout's code, whatever the working directory of the child is.
            "PYTHONPATH": str(REPO_ROOT),
        },
    )
    return CompletedScan(process.returncode, process.stdout, process.stderr)


@pytest.fixture
def comply():
    return run_comply
