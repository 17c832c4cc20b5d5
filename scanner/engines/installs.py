"""Where second engines live and which version: `comply engines install|list`.

Each engine gets its own virtual environment in comply's data folder
($XDG_DATA_HOME/comply/engines/NAME), with the version comply's mapping was generated from and
its tests ran against. Nothing is installed into comply's own environment.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from scanner.engines.checkov_runner import ENGINE, EngineError, checkov_version, find_checkov

# The version controls/engines/checkov.yaml was generated from (its `checkov_version`), and the
# one .ci/run installs. Change all three together.
PINNED = {ENGINE: "3.3.30"}


def engines_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "comply" / "engines"


def installed_executable(name: str) -> Path:
    return engines_dir() / name / "bin" / name


@dataclass(frozen=True)
class EngineState:
    name: str
    pinned: str
    path: Path | None  # the executable comply would run; None when there is none
    version: str | None  # what it says with --version; None when it could not say
    problem: str = ""

    @property
    def state(self) -> str:
        if self.path is None:
            return "not installed"
        if self.version is None:
            return "broken"
        return "ready" if self.version == self.pinned else "ready (untested version)"


def locate(name: str) -> Path | None:
    """COMPLY_CHECKOV, else PATH, else comply's own install."""
    try:
        return find_checkov()
    except EngineError:
        own = installed_executable(name)
        return own if own.is_file() else None


def engine_state(name: str) -> EngineState:
    path = locate(name)
    if path is None:
        return EngineState(name, PINNED[name], None, None, "not found")
    version, problem = checkov_version(path)
    return EngineState(name, PINNED[name], path, version, problem)


def install_command(name: str) -> list[list[str]]:
    """The commands `comply engines install NAME` runs: a virtual environment, then pip."""
    target = engines_dir() / name
    return [
        [sys.executable, "-m", "venv", "--clear", str(target)],
        [str(target / "bin" / "pip"), "install", "--quiet", f"{name}=={PINNED[name]}"],
    ]
