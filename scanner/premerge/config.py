"""`.comply.yaml`: a repository's scan settings, found from the scanned folder upwards.

Command-line flags override the file. Unknown keys are errors naming the key (a typo must not
silently drop a setting, such as a severity threshold). Paths are relative to the file's folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.core.model import Severity
from scanner.core.yaml_files import YamlFileError, load_yaml_file

CONFIG_NAMES = (".comply.yaml", ".comply.yml")
SEVERITY_NAMES = tuple(s.value for s in Severity)

# key -> (kind, description). Kinds: "list" of strings, "paths" (list of paths), "path", "str",
# "bool", "mapping", "store" (a URL, or a path relative to the file). The CLI option of the
# same meaning overrides the key when given on the command line.
KEYS: dict[str, tuple[str, str]] = {
    "frameworks": ("list", "only checks and controls of these frameworks"),
    "categories": ("list", "only SOC 2 controls of these categories"),
    "severity_threshold": ("str", "failures below this severity do not block"),
    "soft_fail": ("bool", "exit 0 on failing findings"),
    "checks": ("list", "run only these check ids"),
    "skip_checks": ("list", "do not run these check ids"),
    "policies": ("paths", "folders of your own checks"),
    "frameworks_dirs": ("paths", "folders of your own framework files"),
    "var_files": ("paths", "Terraform .tfvars files"),
    "outputs": ("list", "report targets, as with -o FORMAT[=PATH]"),
    "attestations": ("path", "attestations file"),
    "waivers": ("path", "waivers file"),
    "baseline": ("path", "baseline file: only new failures block"),
    "allow_inline_skips": ("bool", "honour # comply:skip comments (false for audited repos)"),
    "regions": ("list", "AWS regions a live scan covers (default: the account's enabled ones)"),
    "store": ("store", "history store: sqlite:///PATH, a file path, or postgresql://..."),
    "notify": ("list", "after a stored run: slack=URL or webhook=URL (env:VARIABLE reads one)"),
    "notify_unchanged": ("bool", "notify even when nothing changed since the previous run"),
    "system": ("mapping", "the system the evidence describes: name, scope, not_applicable"),
    "engines": ("list", "scanners a Terraform or Kubernetes scan runs: comply, checkov"),
    "evidence": ("mapping", "evidence export settings: cadence (how often runs are expected, 1d)"),
    "drift": ("mapping", "comply drift settings: ignore (rules), ignore_defaults (bool)"),
}


class ConfigError(Exception):
    """The configuration file is malformed; the message names the file and the key."""


@dataclass
class Config:
    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def discover(start: Path) -> Path | None:
    """The nearest .comply.yaml in `start` (a folder or file) or one of its parents."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate_dir in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            candidate = candidate_dir / name
            if candidate.is_file():
                return candidate
    return None


def _check_value(key: str, kind: str, value: Any, base: Path, where: str) -> Any:
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {key} must be true or false")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {key} must be a string")
        return value
    if kind == "path":
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {key} must be a path")
        return base / value
    if kind == "mapping":
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: {key} must be a mapping")
        return dict(value)
    if kind == "store":
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {key} must be a database URL or a file path")
        # A plain file path is relative to the configuration file, like every other path.
        return value if "://" in value or value == "default" else str(base / value)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return [base / v for v in value] if kind == "paths" else list(value)


def load_config(path: Path) -> Config:
    try:
        document = load_yaml_file(path)
    except YamlFileError as exc:
        raise ConfigError(str(exc)) from exc
    if document is None:
        return Config(path, {})
    if not isinstance(document, Mapping):
        raise ConfigError(f"{path}: expected a mapping of settings")
    values: dict[str, Any] = {}
    for key, value in document.items():
        if key not in KEYS:
            known = ", ".join(sorted(KEYS))
            raise ConfigError(f"{path}: unknown key {key!r} (known keys: {known})")
        values[key] = _check_value(key, KEYS[key][0], value, path.parent, str(path))
    threshold = values.get("severity_threshold")
    if threshold is not None and threshold not in SEVERITY_NAMES:
        raise ConfigError(
            f"{path}: severity_threshold must be one of {', '.join(SEVERITY_NAMES)}, "
            f"not {threshold!r}"
        )
    return Config(path, values)


def find_config(explicit: Path | None, scanned: Path | None) -> Config:
    """The `--config` file, else the nearest one above the scanned path, else an empty config."""
    if explicit is not None:
        return load_config(explicit)
    found = discover(scanned) if scanned is not None else None
    return load_config(found) if found is not None else Config()


def describe(config: Config, effective: Mapping[str, Any]) -> dict[str, Any]:
    """The effective configuration as plain data, for `comply config show`."""

    def plain(value: Any) -> Any:
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return {
        "config_file": str(config.path) if config.path else None,
        "settings": {key: plain(effective.get(key)) for key in KEYS},
    }
