"""SIGTERM as an exception, so that an interrupted run unwinds like Ctrl-C does.

Python's default SIGTERM handling kills the process on the spot: `with` blocks do not run, and a
temporary file is left next to the output it was going to replace. Raised as `Terminated` (a
BaseException, like KeyboardInterrupt, so `except Exception` lets it by), every `with` block
unwinds (scanner/core/atomic_files), outputs of earlier runs stay whole, and `main` exits 143
(128 + SIGTERM) instead of reading as "findings" (1). SIGINT exits 130 (scanner/cli/errors.py).
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import NoReturn

EXIT_SIGTERM = 128 + signal.SIGTERM  # 143


class Terminated(BaseException):
    """SIGTERM arrived."""


def _raise_terminated(signum: int, frame: FrameType | None) -> NoReturn:
    del signum, frame
    raise Terminated


def raise_on_sigterm() -> None:
    signal.signal(signal.SIGTERM, _raise_terminated)
