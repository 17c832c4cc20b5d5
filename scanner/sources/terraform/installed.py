"""Modules that `terraform init` installed: `.terraform/modules/modules.json` of a root module.

Terraform records every module call it installed, keyed by the chain of call names (`vpc`,
`vpc.subnets`; instances of a counted call share one entry), with the source it installed from and
the folder it put the code in, relative to the root module:

    {"Modules": [{"Key": "", "Source": "", "Dir": "."},
                 {"Key": "vpc", "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws",
                  "Version": "5.0.0", "Dir": ".terraform/modules/vpc"}]}

Registry and git modules are loaded from those folders exactly as local modules are. The folders
live under `.terraform/`, which the file walk skips, so installed code is only ever loaded as a
module of the root that installed it, never scanned as a root of its own.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from scanner.core.model import ScanError
from scanner.sources.terraform.files import read_source, relative_name

MANIFEST_PATH = Path(".terraform") / "modules" / "modules.json"
REGISTRY_HOST = "registry.terraform.io/"


@dataclass(frozen=True)
class InstalledModule:
    key: str  # call names joined by dots: "vpc", "vpc.subnets"
    source: str  # as Terraform recorded it (normalised address)
    version: str | None
    directory: Path  # absolute, normalised
    recorded_dir: str  # as written in the manifest (relative to the root module), for messages


@dataclass(frozen=True)
class ModuleManifest:
    file: str  # relative to the scanned root, for messages
    modules: dict[str, InstalledModule]

    def find(self, key: str) -> InstalledModule | None:
        return self.modules.get(key)


def read_manifest(
    root_dir: Path, scan_root: Path, max_file_size: int
) -> tuple[ModuleManifest | None, ScanError | None]:
    """The manifest of the root module in `root_dir`: (None, None) when init has not run there."""
    path = root_dir / MANIFEST_PATH
    if not path.is_file():
        return None, None
    rel = relative_name(path, scan_root)
    source = read_source(path, rel, max_file_size)
    if source.error is not None:
        return None, source.error
    try:
        document = json.loads(source.text or "")
        modules = _records(document, root_dir)
    except (ValueError, TypeError, KeyError) as exc:
        return None, ScanError(rel, f"not a Terraform module manifest: {exc}")
    return ModuleManifest(rel, modules), None


def _records(document: object, root_dir: Path) -> dict[str, InstalledModule]:
    if not isinstance(document, dict) or not isinstance(document.get("Modules"), list):
        raise ValueError('expected an object with a "Modules" list')
    modules: dict[str, InstalledModule] = {}
    for record in document["Modules"]:
        if not isinstance(record, dict):
            raise ValueError("a module record is not an object")
        key, directory = record["Key"], record["Dir"]
        if not isinstance(key, str) or not isinstance(directory, str):
            raise ValueError("a module record's Key and Dir must be strings")
        if key == "":
            continue  # the root module itself
        source = record.get("Source", "")
        version = record.get("Version")
        modules[key] = InstalledModule(
            key=key,
            source=source if isinstance(source, str) else "",
            version=version if isinstance(version, str) else None,
            directory=Path(os.path.normpath(root_dir / directory)),
            recorded_dir=directory,
        )
    return modules


def is_inside(directory: Path, root_dir: Path) -> bool:
    """Whether `directory` lies inside the root module folder (where `terraform init` puts
    downloaded code); a manifest pointing elsewhere is not followed."""
    try:
        directory.relative_to(root_dir)
    except ValueError:
        return False
    return True


_GIT_SSH = re.compile(r"^(?:ssh://)?git@([^:/]+)[:/]")
_DOT_GIT = re.compile(r"\.git(?=$|//|\?)")


def comparable_source(address: str) -> str:
    """A module source address reduced to what identifies it, so that the address written in the
    configuration and the one Terraform recorded for it compare equal: Terraform records registry
    sources with their host (`registry.terraform.io/ns/name/provider`) and git shorthands in their
    full go-getter form (`git::https://github.com/o/r.git`)."""
    text = address.strip()
    text = text.removeprefix("git::").removeprefix(REGISTRY_HOST)
    text = _GIT_SSH.sub(r"\1/", text)
    text = re.sub(r"^[a-z+]+://", "", text)
    return _DOT_GIT.sub("", text)


def same_source(configured: str, installed: str) -> bool:
    return comparable_source(configured) == comparable_source(installed)
