"""Reading the user's YAML files (configuration, attestations, waivers, frameworks) safely.

Safe loader only (libyaml's when PyYAML has it). Every way a file can be unreadable becomes one
error naming the file (and the line, when YAML says): PyYAML raises a plain ValueError, not a
YAMLError, for an impossible unquoted date such as `2027-02-30`, and that must not surface as an
internal error.

Bounded: only regular files are read (a FIFO would block forever), at most MAX_YAML_FILE_SIZE
bytes, and a document whose aliases expand past the cap of `yaml_budget` is an error, not a
gigabyte. A key written twice in one mapping (YAML keeps the last one silently) is a warning
naming the key and its lines when the caller collects warnings, and an error otherwise.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml

from scanner.core.model import ScanWarning

try:  # libyaml's composer: several times faster; the same safe constructor builds the values
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]
from scanner.core.yaml_budget import YamlTooLarge, check_expansion, duplicate_keys

# docs/security.md, "Input caps".
MAX_YAML_FILE_SIZE = 10 * 1024 * 1024


class YamlFileError(Exception):
    pass


def read_text_capped(path: Path, limit: int = MAX_YAML_FILE_SIZE) -> str:
    """The UTF-8 text of a regular file of at most `limit` bytes; OSError/ValueError otherwise."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise ValueError("not a regular file (a device, FIFO or socket)")
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than the limit of {limit} bytes")
    return data.decode("utf-8")


def load_yaml_file(path: Path, warnings: list[ScanWarning] | None = None) -> Any:
    try:
        text = read_text_capped(path)
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise YamlFileError(f"{path}: cannot be read: {exc}") from exc
    return load_yaml_text(text, path, warnings)


def load_yaml_text(text: str, path: Path | str, warnings: list[ScanWarning] | None = None) -> Any:
    """One YAML document (or None) from `text`; errors name `path`."""
    try:
        # The reader refuses control characters as soon as it is made: inside the `try`.
        loader = _SafeLoader(text)
    except yaml.YAMLError as exc:
        raise YamlFileError(f"{path}: not valid YAML: {exc}") from exc
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_expansion(node)
        _report_duplicates(node, path, warnings)
        return loader.construct_document(node)
    except YamlTooLarge as exc:
        raise YamlFileError(f"{path}: line {exc.line}: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlFileError(f"{path}: not valid YAML{where}: {problem}") from exc
    except RecursionError as exc:
        raise YamlFileError(f"{path}: not loaded: nested too deeply") from exc
    except ValueError as exc:
        raise YamlFileError(
            f"{path}: a value cannot be read ({exc}); an impossible date? Write dates as "
            "'YYYY-MM-DD' in quotes"
        ) from exc
    finally:
        loader.dispose()


def _report_duplicates(
    node: yaml.Node, path: Path | str, warnings: list[ScanWarning] | None
) -> None:
    for duplicate in duplicate_keys(node):
        message = (
            f"key {duplicate.key!r} is written twice in one mapping (lines "
            f"{duplicate.first_line} and {duplicate.line}); YAML keeps only the last one"
        )
        if warnings is None:
            raise YamlFileError(f"{path}: line {duplicate.line}: {message}: remove one")
        warnings.append(ScanWarning(str(path), message, duplicate.line))
