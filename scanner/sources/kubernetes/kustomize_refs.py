"""What a kustomization file uses: the files and folders it names, by role.

A rendered kustomization stands for every file it uses, so those files are not judged again on
their own; a file beside it that it does not use is an ordinary manifest. Patches are never
whole objects: when a kustomization is not rendered, its patch files are skipped rather than
judged as if they were complete (a patch that sets `replicas: 3` has no containers to judge).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scanner.sources.kubernetes.documents import LIBYAML

SafeLoader = yaml.CSafeLoader if LIBYAML else yaml.SafeLoader

_REMOTE_PREFIXES = ("github.com/", "gitlab.com/", "bitbucket.org/", "git@", "git::", "ssh://")


@dataclass
class Kustomization:
    folder: Path
    file: Path
    kind: str = "Kustomization"  # or "Component"
    resources: set[Path] = field(default_factory=set)  # files rendered as objects
    patches: set[Path] = field(default_factory=set)  # files that patch objects: never whole
    inputs: set[Path] = field(default_factory=set)  # generator inputs, transformer configs...
    input_dirs: set[Path] = field(default_factory=set)  # folders used whole (helmCharts home)
    children: set[Path] = field(default_factory=set)  # kustomization folders it builds on

    @property
    def is_component(self) -> bool:
        return self.kind == "Component"

    def uses(self, path: Path) -> bool:
        return (
            path in self.resources
            or path in self.patches
            or path in self.inputs
            or any(path.is_relative_to(folder) for folder in self.input_dirs)
        )


def read_kustomization(folder: Path, file: Path) -> Kustomization:
    """The kustomization in `folder`; one that cannot be read uses nothing (rendering it reports
    why, and its folder's files are then scanned as they are)."""
    found = Kustomization(folder, file)
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError, ValueError):
        return found
    if not isinstance(data, dict):
        return found
    if data.get("kind") == "Component":
        found.kind = "Component"
    for key in ("resources", "bases", "components"):
        for entry in _strings(data.get(key)):
            _add_resource(found, entry)
    for entry in _strings(data.get("patchesStrategicMerge")):
        _add_file(found.patches, folder, entry)
    for key in ("patches", "patchesJson6902", "replacements"):
        for entry in _list(data.get(key)):
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                target = found.patches if key != "replacements" else found.inputs
                _add_file(target, folder, entry["path"])
    for key in ("configMapGenerator", "secretGenerator"):
        for generator in _list(data.get(key)):
            if not isinstance(generator, dict):
                continue
            sources = [*_strings(generator.get("files")), *_strings(generator.get("envs"))]
            if isinstance(generator.get("env"), str):
                sources.append(generator["env"])
            for source in sources:
                _add_file(found.inputs, folder, source.rpartition("=")[2])
    for key in ("generators", "transformers", "validators", "configurations"):
        for entry in _strings(data.get(key)):
            if _is_path(folder, entry) and (folder / entry).is_dir():
                found.children.add(_normal(folder, entry))
            else:
                _add_file(found.inputs, folder, entry)
    openapi = data.get("openapi")
    if isinstance(openapi, dict) and isinstance(openapi.get("path"), str):
        _add_file(found.inputs, folder, openapi["path"])
    _add_helm_charts(found, data)
    return found


def _add_helm_charts(found: Kustomization, data: dict[str, Any]) -> None:
    charts = _list(data.get("helmCharts"))
    if not charts:
        return
    globals_ = data.get("helmGlobals")
    home = globals_.get("chartHome") if isinstance(globals_, dict) else None
    found.input_dirs.add(_normal(found.folder, home if isinstance(home, str) else "charts"))
    for chart in charts:
        if isinstance(chart, dict):
            for values in [chart.get("valuesFile"), *_strings(chart.get("additionalValuesFiles"))]:
                if isinstance(values, str):
                    _add_file(found.inputs, found.folder, values)


def _add_resource(found: Kustomization, entry: str) -> None:
    if not _is_path(found.folder, entry):
        return
    path = _normal(found.folder, entry)
    if path.is_dir():
        found.children.add(path)
    elif path.is_file():
        found.resources.add(path)


def _add_file(target: set[Path], folder: Path, entry: str) -> None:
    # An inline patch (a YAML string) or a missing file names no file of the tree.
    if _is_path(folder, entry):
        path = _normal(folder, entry)
        if path.is_file():
            target.add(path)


def _is_path(folder: Path, entry: str) -> bool:
    if not entry or "\n" in entry or "://" in entry or entry.startswith(_REMOTE_PREFIXES):
        return False
    return len(entry) < 4096


def _normal(folder: Path, entry: str) -> Path:
    return Path(os.path.normpath(folder / entry))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [entry for entry in _list(value) if isinstance(entry, str)]
