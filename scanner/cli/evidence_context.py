"""What both evidence exports read from where they run: the `system:` description, who exported,
and the effective configuration."""

from __future__ import annotations

from pathlib import Path

from scanner.cli.common import fail
from scanner.evidence.system import SystemDescription, parse_system


def export_operator() -> dict[str, str | None]:
    """Who exported: the CI run's URL when there is one, and the user and host."""
    from scanner.history.operator import operator_record

    return operator_record()


def effective_configuration() -> dict[str, object]:
    """The .comply.yaml in effect (found from the working directory), secrets redacted later by
    the bundle's JSON writer."""
    from scanner.premerge.config import ConfigError, describe, find_config

    try:
        config = find_config(None, Path.cwd())
    except ConfigError as exc:
        fail(str(exc))
    plain = describe(config, config.values)
    file = plain.get("config_file")
    plain["config_file"] = Path(file).name if file else None  # the name, not this machine's path
    return plain


def system_description() -> SystemDescription | None:
    """`system:` of the .comply.yaml found from the working directory, if any."""
    from scanner.premerge.config import ConfigError, find_config

    try:
        config = find_config(None, Path.cwd())
    except ConfigError as exc:
        fail(str(exc))
    value = config.get("system")
    return parse_system(value, f"{config.path}: system") if value is not None else None
