"""The Terraform plan source: `terraform show -json plan.out` -> canonical Resources.

Each resource instance the plan creates, updates, replaces or leaves as is becomes one resource
with its planned values (`change.after`, unknowns and sensitive values marked, see plan_values),
addressed as the plan addresses it (`module.app["eu"].aws_s3_bucket.logs[0]`). Instances being
destroyed (or forgotten) are not judged. Companions fold into their parents through the same fold
layer as the Terraform source. Where the configuration's `.tf` files are at hand (`config_dir`,
by default the plan's folder), each resource points at its block's file and lines and inline
skips apply; otherwise it points at the plan file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner.core.model import ComputedRef, Location, Resource, ScanError, ScanWarning, is_unknown
from scanner.sources.terraform.files import read_source, relative_name
from scanner.sources.terraform.fold import COMPANIONS, TYPE_ALIASES, fold_resources
from scanner.sources.terraform.loader import TerraformLoadResult, root_label
from scanner.sources.terraform.plan_config import (
    ConfigFiles,
    PlanConfiguration,
    load_config_files,
    module_steps,
    prefix_of,
    same_instance_reference,
)
from scanner.sources.terraform.plan_document import (
    PlanDocument,
    PlanError,
    parse_plan,
    planned_resources,
)
from scanner.sources.terraform.plan_values import (
    ResourceContext,
    planned_attributes,
    union_sensitive,
)
from scanner.sources.terraform.resolve import ResolvedResource

DEFAULT_MAX_PLAN_SIZE = 200 * 1024 * 1024


def judged(actions: Sequence[Any]) -> bool:
    """Whether the object exists after apply: created, updated, replaced or unchanged. Deleted
    (and, since Terraform 1.7, forgotten) objects are not judged; nor are unknown actions."""
    if "create" in actions:
        return True
    return list(actions) in (["update"], ["no-op"])


def load_terraform_plan(
    plan_path: Path,
    *,
    config_dir: Path | None = None,
    max_file_size: int = DEFAULT_MAX_PLAN_SIZE,
    jobs: int | None = None,
    id_root: Path | None = None,
) -> TerraformLoadResult:
    """Load a plan JSON file. Never raises for bad input: it becomes an error naming the file.

    With `id_root` (the repository root), ids carry the configuration folder relative to it, as
    configuration scans label a root module (`infra:aws_s3_bucket.logs`), so that baselines and
    waivers match both kinds of scan."""
    plan_path = Path(os.path.abspath(plan_path))
    root = Path(os.path.abspath(config_dir)) if config_dir is not None else plan_path.parent
    rel = relative_name(plan_path, root)
    source = read_source(plan_path, rel, max_file_size)
    if source.error is not None:
        return TerraformLoadResult([], [source.error], [], 1)
    try:
        document = parse_plan(source.text or "")
    except PlanError as exc:
        return TerraformLoadResult([], [ScanError(rel, str(exc))], [], 1)
    builder = _PlanLoader(document, rel, root, explicit=config_dir is not None, jobs=jobs)
    try:
        resources = builder.run(max_file_size)
    except Exception as exc:  # last line of defence: report, never crash the scan
        builder.errors.append(ScanError(rel, f"internal error: {type(exc).__name__}: {exc}"))
        resources = []
    label = root_label(root, id_root)
    for resource in resources if label else []:
        resource.id = f"{label}:{resource.id}"
    context = {"terraform_plan": builder.summary()}
    return TerraformLoadResult(resources, builder.errors, builder.warnings, builder.files, context)


class _PlanLoader:
    def __init__(
        self, document: PlanDocument, rel: str, root: Path, *, explicit: bool, jobs: int | None
    ) -> None:
        self.document = document
        self.rel = rel
        self.root = root
        self.explicit = explicit
        self.jobs = jobs or os.cpu_count() or 1
        self.errors: list[ScanError] = []
        self.warnings: list[ScanWarning] = []
        self.files = 1
        self.not_judged: dict[str, int] = {}
        self.configuration = PlanConfiguration(document.configuration)
        self.config_files: ConfigFiles | None = None

    def run(self, max_file_size: int) -> list[Resource]:
        if self.document.errored:
            self.errors.append(
                ScanError(
                    self.rel,
                    "Terraform could not finish this plan (errored: true): resources it did not "
                    "plan are not judged; fix the plan's errors and scan again",
                )
            )
        elif not self.document.complete:
            self.warnings.append(
                ScanWarning(
                    self.rel,
                    "the plan is not complete (complete: false, e.g. -target or deferred "
                    "changes): resources it leaves out are not judged",
                )
            )
        self._read_config_files(max_file_size)
        sensitive_values = {
            address: resource.get("sensitive_values")
            for address, resource in planned_resources(self.document.planned_values).items()
        }
        resolved: list[ResolvedResource] = []
        for change in self.document.resource_changes:
            try:
                item = self._resolve(change, sensitive_values)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                address = change.get("address", "?")
                self.errors.append(ScanError(self.rel, f"{address}: unexpected structure: {exc}"))
                continue
            except RecursionError:
                address = change.get("address", "?")
                self.errors.append(ScanError(self.rel, f"{address}: values nested too deeply"))
                continue
            if item is not None:
                resolved.append(item)
        resources = fold_resources(resolved, self.warnings.append)
        for resource in resources:
            if not resource.location.start_line:  # not mapped to a block: the plan file itself
                resource.location = Location(file=self.rel)
        return resources

    def _read_config_files(self, max_file_size: int) -> None:
        if not self.root.is_dir():
            self.errors.append(ScanError(str(self.root), "configuration folder not found"))
            return
        files, loader = load_config_files(self.root, max_file_size=max_file_size, jobs=self.jobs)
        self.files += loader.files_scanned
        # The plan is the input: a configuration file that does not parse only costs its lines.
        for error in loader.errors:
            self.warnings.append(
                ScanWarning(
                    error.target, f"{error.message} (its blocks are not mapped)", error.line
                )
            )
        self.warnings.extend(loader.warnings)
        if files.has_files:
            self.config_files = files
        elif self.explicit:
            self.warnings.append(
                ScanWarning(str(self.root), "no Terraform files here: findings point at the plan")
            )

    def _resolve(
        self, change: dict[str, Any], sensitive_values: dict[str, Any]
    ) -> ResolvedResource | None:
        if change.get("mode", "managed") != "managed" or change.get("deposed"):
            return None  # data sources are read, not created; deposed objects are deleted
        address, type_name, name = change["address"], change["type"], change["name"]
        body = change.get("change") or {}
        actions = body.get("actions") or []
        after = body.get("after")
        if not judged(actions) or not isinstance(after, dict):
            key = "/".join(str(a) for a in actions) or "none"
            self.not_judged[key] = self.not_judged.get(key, 0) + 1
            return None
        steps = module_steps(change.get("module_address") or "")
        names = tuple(n for n, _ in steps)
        block = self.config_files.block(names, type_name, name) if self.config_files else None
        context = ResourceContext(
            address=address,
            scope=self.configuration.scope(steps),
            expressions=self.configuration.resource_expressions(names, type_name, name),
            declared=block.declared if block is not None else None,
        )
        sensitive = union_sensitive(body.get("after_sensitive"), sensitive_values.get(address))
        attributes = planned_attributes(after, body.get("after_unknown"), sensitive, context)
        link = COMPANIONS.get(TYPE_ALIASES.get(type_name, type_name))
        if link is not None and block is not None and is_unknown(attributes.get(link[1])):
            parent = same_instance_reference(block.body, link[1], change.get("index"))
            if parent is not None:
                attributes[link[1]] = ComputedRef(prefix_of(steps) + parent)
        return ResolvedResource(
            address=address,
            type=type_name,
            attributes=attributes,
            file=block.file if block is not None else self.rel,
            start_line=block.start_line if block is not None else 0,
            end_line=block.end_line if block is not None else 0,
            skips=block.skips if block is not None else [],
            module_prefix=prefix_of(steps),
        )

    def summary(self) -> dict[str, Any]:
        return {
            "file": self.rel,
            "format_version": self.document.format_version,
            "terraform_version": self.document.terraform_version,
            "configuration_files": self.config_files is not None,
            "not_judged": dict(sorted(self.not_judged.items())),
        }
