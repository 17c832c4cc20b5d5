"""`file()` and `templatefile()` on files inside the scanned folder.

Terraform reads these at plan time, so their content is known before apply. comply reads a file
only when its real path is inside the folder being scanned and it is small; anything else is
Unknown with the reason (never a read of `/etc/...` because a module asked for it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.core.model import ComputedRef, Unknown
from scanner.sources.terraform.expressions import ForScope
from scanner.sources.terraform.hcl_text import HclSyntaxError
from scanner.sources.terraform.syntax import parse_template
from scanner.sources.terraform.values import Failed

if TYPE_CHECKING:
    from scanner.sources.terraform.expressions import Evaluator, Scope
    from scanner.sources.terraform.syntax import Node

MAX_FILE_BYTES = 1024 * 1024


def read_file(path_value: Any, scope: Scope) -> str | Unknown:
    """The text of the file `path_value` names, or Unknown saying why it is not read."""
    if isinstance(path_value, Unknown):
        return path_value
    if not isinstance(path_value, str) or isinstance(path_value, ComputedRef):
        return Unknown(f"file() of a path known only at apply ({path_value})")
    paths = scope.lookup("path")
    root = getattr(paths, "files_root", None)
    module_dir = paths.get("module") if isinstance(paths, dict) else None
    if root is None or module_dir is None:
        return Unknown(f"file({path_value!r}) is not read here")
    candidate = Path(path_value)
    if not candidate.is_absolute():  # Terraform resolves relative paths from the working dir
        candidate = Path(module_dir) / candidate
    try:
        real = Path(os.path.realpath(candidate))
        real_root = Path(os.path.realpath(root))
        if real != real_root and real_root not in real.parents:
            return Unknown(f"file({path_value!r}) is outside the scanned folder")
        if not real.is_file():
            return Failed(f"file({path_value!r}) does not exist")
        if real.stat().st_size > MAX_FILE_BYTES:
            return Unknown(f"file({path_value!r}) is larger than {MAX_FILE_BYTES} bytes")
        return real.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Unknown(f"file({path_value!r}) cannot be read ({type(exc).__name__})")


def call_file_function(ev: Evaluator, name: str, arg_nodes: list[Node], scope: Scope) -> Any:
    """file(path) and templatefile(path, vars)."""
    if not arg_nodes:
        return ev.failed(f"{name}() needs a path")
    text = read_file(ev.evaluate(arg_nodes[0], scope), scope)
    if isinstance(text, Unknown) or name == "file":
        return text
    variables = ev.evaluate(arg_nodes[1], scope) if len(arg_nodes) > 1 else {}
    if isinstance(variables, Unknown):
        return variables
    if not isinstance(variables, dict):
        return ev.failed("templatefile() needs a map of variables")
    try:
        template = parse_template(text, quoted=False)
    except (HclSyntaxError, RecursionError, ValueError) as exc:
        return ev.failed(f"templatefile(): cannot parse the template ({exc})")
    # Inside the template only its variables (and functions) are in scope.
    return ev.evaluate(template, ForScope(_NoNames(), dict(variables)))


class _NoNames:
    def lookup(self, name: str) -> Any:
        return Failed(f"{name} is not a templatefile() variable")
