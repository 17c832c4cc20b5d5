"""Discovery of the AWS collectors: every module of this package that exposes `COLLECTOR`
(a `Collector`) or `COLLECTORS` (a list of them) is picked up, so adding a service is adding a
module, with no registry to edit. Modules are imported on first use, never at package import.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from scanner.sources.aws.collector import Collector


class CollectorDiscoveryError(Exception):
    """Two collectors share a name, or a module exposes something that is not a Collector."""


@cache
def all_collectors() -> tuple[Collector, ...]:
    """Every collector, sorted by name (the order of the permissions policy and of a snapshot)."""
    found: dict[str, Collector] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        declared: list[object] = []
        if hasattr(module, "COLLECTOR"):
            declared.append(module.COLLECTOR)
        declared.extend(getattr(module, "COLLECTORS", ()))
        for collector in declared:
            if not isinstance(collector, Collector):
                raise CollectorDiscoveryError(
                    f"{module.__name__} exposes {type(collector).__name__}, not a Collector"
                )
            if collector.name in found:
                raise CollectorDiscoveryError(
                    f"collector name {collector.name!r} is declared twice ({module.__name__})"
                )
            found[collector.name] = collector
    return tuple(found[name] for name in sorted(found))


def collectors_by_name() -> dict[str, Collector]:
    return {collector.name: collector for collector in all_collectors()}


def select_collectors(names: tuple[str, ...] | list[str] | None = None) -> list[Collector]:
    """The named collectors (all when `names` is empty or None); unknown names raise KeyError."""
    available = collectors_by_name()
    if not names:
        return list(available.values())
    missing = sorted(set(names) - set(available))
    if missing:
        raise KeyError(
            f"no AWS collector named {', '.join(missing)} (have: {', '.join(available)})"
        )
    return [available[name] for name in sorted(set(names))]
