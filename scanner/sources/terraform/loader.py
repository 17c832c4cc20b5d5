"""The Terraform source end to end: find files, parse them, resolve each root module, fold."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.core.model import Resource, ScanError, ScanWarning
from scanner.sources.source_files import os_reason, unreadable_folder_errors
from scanner.sources.terraform import parse as parsing
from scanner.sources.terraform.config import Block, ModuleConfig, is_local_source, module_source
from scanner.sources.terraform.files import (
    config_files_in,
    read_source,
    relative_name,
    walk_config_dirs,
)
from scanner.sources.terraform.fold import fold_resources
from scanner.sources.terraform.installed import ModuleManifest, is_inside, read_manifest
from scanner.sources.terraform.modules import TreeBuilder, emit_resources, local_module_dir
from scanner.sources.terraform.resolve import MISSING_INPUT, ResolvedResource
from scanner.sources.terraform.skips import SkipFinder

MAX_DISCOVERY_ROUNDS = 32


@dataclass
class TerraformLoadResult:
    resources: list[Resource]
    errors: list[ScanError]  # things that make the scan incomplete (exit code 2)
    warnings: list[ScanWarning]
    files_scanned: int = 0
    context: dict[str, Any] = field(default_factory=dict)  # run facts for the report (plan scans)


@dataclass
class _Loader:
    path: Path
    var_files: Sequence[Path]
    cache: parsing.ParseCache | None
    jobs: int
    max_file_size: int
    # Root-module ids are labelled relative to this folder (the repository root), so that they do
    # not change with the folder a scan starts from; None: relative to the scanned folder.
    id_root: Path | None = None
    root: Path = field(init=False)
    configs: dict[Path, ModuleConfig] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)
    warnings: list[ScanWarning] = field(default_factory=list)
    skips: SkipFinder = field(default_factory=SkipFinder)
    manifests: dict[Path, ModuleManifest] = field(default_factory=dict)
    files_scanned: int = 0

    def run(self) -> TerraformLoadResult:
        path = Path(os.path.abspath(self.path))
        if path.is_file():
            self.root = path.parent
            self._load_dirs({path.parent: [path]})
            roots = [path.parent]
        elif path.is_dir():
            self.root = path
            unreadable: list[tuple[Path, str]] = []
            walked = walk_config_dirs(path, unreadable)
            self._load_dirs({d: config_files_in(d, unreadable) for d in walked})
            self.errors.extend(unreadable_folder_errors(unreadable, path))
            roots = self._roots(walked)
        else:
            self.root = path
            self.errors.append(
                ScanError(target=str(self.path), message="no such file or directory")
            )
            return self._result([])
        self._load_installed_modules(roots)
        self._discover_modules()
        self._warn_modules_outside_root()
        resources: list[Resource] = []
        for root_dir in roots:
            resources.extend(self._resolve_root(root_dir))
        return self._result(resources)

    def load_root_module(self) -> ModuleConfig:
        """Read the root module folder `path` and every module it calls, without resolving
        anything: what a plan scan needs to map addresses back to blocks and lines."""
        self.root = Path(os.path.abspath(self.path))
        self._load_dirs({self.root: config_files_in(self.root)})
        self._load_installed_modules([self.root])
        self._discover_modules()
        return self.configs[self.root]

    def _result(self, resources: list[Resource]) -> TerraformLoadResult:
        return TerraformLoadResult(resources, self.errors, self.warnings, self.files_scanned)

    # -- files ---------------------------------------------------------------------------
    def _load_dirs(self, files_by_dir: dict[Path, list[Path]]) -> None:
        """Read and parse every file of these directories (one parallel batch) into configs."""
        batch: list[tuple[Path, str, str, bytes, bool]] = []
        for directory, files in files_by_dir.items():
            self.configs.setdefault(directory, ModuleConfig(directory))
            for file in files:
                self.files_scanned += 1
                rel = relative_name(file, self.root)
                source = read_source(file, rel, self.max_file_size)
                if source.error is not None:
                    self.errors.append(source.error)
                    continue
                assert source.text is not None and source.data is not None
                self.skips.add_file(rel, source.text)
                batch.append(
                    (directory, rel, source.text, source.data, file.name.endswith(".json"))
                )
        outcomes = parsing.parse_all(
            [(text, data, is_json) for _, _, text, data, is_json in batch],
            cache=self.cache,
            jobs=self.jobs,
        )
        for (directory, rel, _text, _data, _json), outcome in zip(batch, outcomes, strict=True):
            if outcome.data is None:
                self.errors.append(ScanError(rel, outcome.error or "parse error", outcome.line))
                continue
            try:
                self.configs[directory].add_file(rel, outcome.data)
            except Exception as exc:  # an odd structure in one file must not stop the scan
                self.errors.append(ScanError(rel, f"unexpected structure: {exc}"))

    def _load_installed_modules(self, candidates: list[Path]) -> None:
        """Read `.terraform/modules/modules.json` of every folder that may be a root module and
        load the registry/git modules it lists (they live under `.terraform/`, which the walk
        skips, so they are loaded as modules only)."""
        missing: dict[Path, list[Path]] = {}
        for root_dir in candidates:
            manifest, error = read_manifest(root_dir, self.root, self.max_file_size)
            if error is not None:
                self.errors.append(error)
            if manifest is None:
                continue
            self.manifests[root_dir] = manifest
            for module in manifest.modules.values():
                directory = module.directory
                if directory in self.configs or directory in missing:
                    continue
                if is_inside(directory, root_dir) and directory.is_dir():
                    missing[directory] = config_files_in(directory)
        if missing:
            self._load_dirs(missing)

    def _discover_modules(self) -> None:
        """Load local module directories that the walk did not cover (e.g. `../modules/x`)."""
        for _ in range(MAX_DISCOVERY_ROUNDS):
            missing: dict[Path, list[Path]] = {}
            unreadable: list[tuple[Path, str]] = []
            for config in list(self.configs.values()):
                for directory in self._local_module_dirs(config):
                    if directory not in self.configs and directory.is_dir():
                        missing[directory] = config_files_in(directory, unreadable)
            self.errors.extend(unreadable_folder_errors(unreadable, self.root))
            if not missing:
                return
            self._load_dirs(missing)

    def _warn_modules_outside_root(self) -> None:
        """A local module source that leaves the scanned folder is loaded, but said: the scan
        then judges files the user did not point it at (and a PR gate may miss their changes)."""
        for config in self.configs.values():
            for name, call in config.modules.items():
                source = module_source(call)
                if source is None or not is_local_source(source):
                    continue
                directory = local_module_dir(config.directory, source)
                if directory.is_relative_to(self.root):
                    continue
                self.warnings.append(
                    ScanWarning(
                        call.file,
                        f"module.{name}: source {source!r} is outside the scanned folder "
                        f"({directory}); it is loaded and scanned, but its files are not part of "
                        "the scanned tree",
                        call.start_line or None,
                    )
                )

    @staticmethod
    def _local_module_dirs(config: ModuleConfig) -> list[Path]:
        dirs = []
        for call in config.modules.values():
            source = module_source(call)
            if source is not None and is_local_source(source):
                dirs.append(local_module_dir(config.directory, source))
        return dirs

    def _roots(self, walked: list[Path]) -> list[Path]:
        """Directories not called as a module by another directory are root modules."""
        called = {
            d
            for config in self.configs.values()
            for d in self._local_module_dirs(config)
            if d != config.directory
        }
        return [d for d in walked if d == self.root or d not in called]

    # -- variables -----------------------------------------------------------------------
    def _variable_values(self, root_dir: Path) -> dict[str, Any]:
        """Terraform's precedence: terraform.tfvars(.json), *.auto.tfvars(.json) in lexical
        order, then -var-file arguments in order; later wins."""
        files: list[Path] = [root_dir / "terraform.tfvars", root_dir / "terraform.tfvars.json"]
        try:
            auto = sorted(
                p
                for p in root_dir.iterdir()
                if p.name.endswith((".auto.tfvars", ".auto.tfvars.json"))
            )
        except OSError as exc:
            self.errors.extend(unreadable_folder_errors([(root_dir, os_reason(exc))], self.root))
            auto = []
        # exists(), not is_file(): a terraform.tfvars that is a FIFO or a device is an error
        files = [f for f in files if f.exists()] + auto
        if root_dir == self.root:
            files.extend(Path(os.path.abspath(f)) for f in self.var_files)
        values: dict[str, Any] = {}
        for file in files:
            values.update(self._read_tfvars(file))
        return values

    def _read_tfvars(self, file: Path) -> dict[str, Any]:
        rel = relative_name(file, self.root)
        source = read_source(file, rel, self.max_file_size)
        if source.error is not None:
            self.errors.append(source.error)
            return {}
        assert source.text is not None
        try:
            if file.name.endswith(".json"):
                data = json.loads(source.text) if source.text.strip() else {}
            else:
                data = parsing.parse_text(source.text, False)
        except Exception as exc:
            message, line = parsing._short_message(exc)
            self.errors.append(ScanError(rel, message, line))
            return {}
        if not isinstance(data, dict):
            self.errors.append(ScanError(rel, "a variables file must hold an object"))
            return {}
        return {k: v for k, v in data.items() if not k.startswith("__")}

    # -- resolution ----------------------------------------------------------------------
    def _find_skips(self, block: Block) -> list[Any]:
        return self.skips.find(block.file, block.start_line, block.end_line)

    def _resolve_root(self, root_dir: Path) -> list[Resource]:
        config = self.configs.get(root_dir)
        if config is None:
            return []
        builder = TreeBuilder(
            self.configs,
            self._find_skips,
            self.errors,
            self.warnings,
            installed=self.manifests.get(root_dir),
            root_dir=root_dir,
        )
        builder.files_root = self.root
        instance = builder.build(config)
        values = self._variable_values(root_dir)

        def supply(name: str) -> Any:
            return instance.resolve(values[name]) if name in values else MISSING_INPUT

        instance.inputs = supply
        resolved: list[ResolvedResource] = []
        emit_resources(instance, self._find_skips, self.errors, resolved)
        resources = fold_resources(resolved, self.warnings.append)
        label = root_label(root_dir, self.id_root, self.root)
        if label:  # `infra:aws_s3_bucket.logs`: which root module, whatever the scan started from
            for resource in resources:
                resource.id = f"{label}:{resource.id}"
        return resources


def root_label(root_dir: Path, *bases: Path | None) -> str:
    """The root module's folder relative to the first base that holds it (the id root, then
    the scanned folder); "" for a base folder itself or when no base holds it."""
    here = Path(os.path.realpath(root_dir))
    for base in bases:
        if base is None:
            continue
        label = relative_name(here, Path(os.path.realpath(base)))
        if label == ".." or label.startswith("../"):
            continue  # outside this base: try the next one
        return "" if label == "." else label
    return ""
