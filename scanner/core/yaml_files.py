"""Reading the user's YAML files (configuration, attestations, waivers, frameworks) safely.

Safe loader only. Every way a file can be unreadable becomes one error naming the file (and the
line, when YAML says): PyYAML raises a plain ValueError, not a YAMLError, for an impossible
unquoted date such as `2027-02-30`, and that must not surface as an internal error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class YamlFileError(Exception):
    pass


def load_yaml_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlFileError(f"{path}: cannot be read: {exc}") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlFileError(f"{path}: not valid YAML{where}: {problem}") from exc
    except ValueError as exc:
        raise YamlFileError(
            f"{path}: a value cannot be read ({exc}); an impossible date? Write dates as "
            "'YYYY-MM-DD' in quotes"
        ) from exc
