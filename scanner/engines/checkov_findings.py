"""checkov's results as comply findings, with comply's precedence (docs/engines.md):

1. A result on a Terraform resource that is absent from comply's inventory although its file was
   read (`count = 0`, an empty `for_each`, a disabled module) is dropped: Terraform never creates
   it, and checkov judges it anyway.
2. Where a comply check names the checkov id in `references["checkov"]` and judged the same
   resource, comply's verdict stands; checkov's is attached to it as a cross-reference.
3. Ids the mapping lists as unmapped bear on neither framework and are not reported; ids the
   mapping does not know are not reported either, and a warning names them.
4. Everything else becomes a finding with engine "checkov", the mapped severity and controls.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

from scanner.compliance.waivers import Waiver
from scanner.core.model import Finding, Location, Resource, ScanWarning, Status
from scanner.core.registry import Registry
from scanner.core.wording import plural
from scanner.engines.checkov_mapping import EngineMapping
from scanner.engines.checkov_runner import ENGINE, CheckovResult

CHECK_ID_PREFIX = "checkov."
# A managed resource's address, optionally inside modules: `module.a.aws_s3_bucket.logs`. Not
# `data.x.y`, `provider.aws` or `module.a` (no underscore in those first words).
_RESOURCE_ADDRESS = re.compile(r"^(module\.[^.]+\.)*([a-z][a-z0-9]*_[a-z0-9_]+)\.([^.\[]+)$")
_INDEX_SUFFIX = re.compile(r"\[[^\]]*\]$")
_STATUS = {"passed": Status.PASS, "failed": Status.FAIL, "skipped": Status.SKIPPED}


@dataclass
class MergeOutcome:
    findings: list[Finding] = field(default_factory=list)  # checkov's, to add to the report
    warnings: list[ScanWarning] = field(default_factory=list)
    cross_referenced: int = 0
    dropped_not_created: int = 0
    unmapped: int = 0


def comply_id(checkov_id: str) -> str:
    return CHECK_ID_PREFIX + checkov_id


def merge_checkov_results(
    results: Iterable[CheckovResult],
    *,
    source: str,
    mapping: EngineMapping,
    comply_findings: Sequence[Finding],
    inventory: Sequence[Resource],
    registry: Registry,
    unreadable_files: Iterable[str] = (),
    waivers: Sequence[Waiver] = (),
    today: date,
) -> MergeOutcome:
    """Mutates `comply_findings` only to attach cross-references."""
    outcome = MergeOutcome()
    index = _ResourceIndex(inventory)
    # comply folds some blocks into others (a bucket policy into its bucket): an address absent
    # from the inventory means "not created" only for a type comply keeps as resources of their
    # own, i.e. one in the inventory or judged by a check. Anything else is kept, not dropped.
    modelled_types = {resource.type for resource in inventory} | {
        resource_type for spec in registry.checks.values() for resource_type in spec.resource_types
    }
    unreadable = {PurePosixPath(f).as_posix() for f in unreadable_files}
    references = _comply_checks_by_checkov_id(registry)
    by_resource_check: dict[tuple[int, str], list[Finding]] = defaultdict(list)
    for finding in comply_findings:
        by_resource_check[(id(finding.resource), finding.check_id)].append(finding)
    unknown_ids: set[str] = set()
    active_waivers = [w for w in waivers if w.is_active(today)]
    for result in results:
        resource = index.find(result)
        if (
            source == "terraform"
            and resource is None
            and result.framework == "terraform"
            and (address := _RESOURCE_ADDRESS.match(result.resource)) is not None
            and address.group(2) in modelled_types
            and result.file_path not in unreadable
        ):
            outcome.dropped_not_created += 1
            continue
        if resource is not None and result.outcome != "skipped":
            judged = [
                finding
                for check_id in references.get(result.check_id, ())
                for finding in by_resource_check.get((id(resource), check_id), ())
            ]
            if judged:
                for finding in judged:
                    finding.cross_references.append(
                        {"engine": ENGINE, "check_id": result.check_id, "status": result.outcome}
                    )
                outcome.cross_referenced += 1
                continue
        entry = mapping.mapped.get(result.check_id)
        if entry is None:
            outcome.unmapped += 1
            if not mapping.covers(result.check_id):
                unknown_ids.add(result.check_id)
            continue
        finding = Finding(
            check_id=comply_id(result.check_id),
            title=result.check_name or result.check_id,
            severity=entry.severity,
            status=_STATUS[result.outcome],
            message=f"checkov {result.check_id} {result.outcome}: {result.check_name}",
            resource=resource or _engine_resource(result, source),
            controls=list(entry.controls),
            engine=ENGINE,
        )
        if finding.status is Status.SKIPPED:
            finding.original_status = Status.FAIL  # checkov lists a skipped check's failure
            finding.suppression_reason = result.skip_reason
            finding.suppressed_by = "inline"
        else:
            _apply_waiver(finding, active_waivers)
        outcome.findings.append(finding)
    if unknown_ids:
        shown = ", ".join(sorted(unknown_ids)[:5])
        outcome.warnings.append(
            ScanWarning(
                ENGINE,
                f"{plural(len(unknown_ids), 'checkov id')} not in controls/engines/checkov.yaml "
                f"({shown}): not reported; the installed checkov is newer than the mapping",
            )
        )
    if outcome.dropped_not_created:
        outcome.warnings.append(
            ScanWarning(
                ENGINE,
                f"{plural(outcome.dropped_not_created, 'checkov result')} dropped on resources "
                "Terraform would not create (count = 0, empty for_each, disabled module)",
            )
        )
    return outcome


def _apply_waiver(finding: Finding, waivers: Sequence[Waiver]) -> None:
    if finding.status is Status.ERROR:
        return
    waiver = next((w for w in waivers if w.matches(finding.check_id, finding.resource.id)), None)
    if waiver is None:
        return
    finding.original_status = finding.status
    finding.status = Status.SKIPPED
    finding.suppression_reason = waiver.describe()
    finding.suppressed_by = "waiver"


def _comply_checks_by_checkov_id(registry: Registry) -> Mapping[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for spec in registry.checks.values():
        for checkov_id in spec.references.get(ENGINE, ()):
            found[checkov_id].append(spec.id)
    return found


class _ResourceIndex:
    """comply's resources by Terraform address and by file, to find the one a result is about."""

    def __init__(self, inventory: Sequence[Resource]) -> None:
        self.by_address: dict[tuple[str, str], Resource] = {}
        self.by_file: dict[str, list[Resource]] = defaultdict(list)
        for resource in inventory:
            if not resource.location.file:
                continue
            file = PurePosixPath(resource.location.file)
            self.by_file[file.as_posix()].append(resource)
            # comply's id is `module/folder:address[index]`; checkov names the block by its
            # address, in the file's folder: `aws_s3_bucket.logs` for `logs[0]` and `logs["a"]`.
            address = _INDEX_SUFFIX.sub("", resource.id.rsplit(":", 1)[-1])
            self.by_address.setdefault((file.parent.as_posix(), address), resource)

    def find(self, result: CheckovResult) -> Resource | None:
        if result.framework == "terraform":
            # The folder as PurePosixPath.parent says it ("." at the top), without its cost.
            folder = result.file_path.rpartition("/")[0] or "."
            return self.by_address.get((folder, _INDEX_SUFFIX.sub("", result.resource)))
        if result.framework != "kubernetes" or result.start_line is None:
            return None
        for resource in self.by_file.get(result.file_path, ()):
            start, end = resource.location.start_line, resource.location.end_line
            if start is not None and start <= result.start_line <= (end or start):
                return resource
        return None


def _engine_resource(result: CheckovResult, source: str) -> Resource:
    """A resource comply has no model of (a secret in a file, a data source): identified by what
    checkov names, located where checkov says."""
    if result.framework == "secrets":
        # checkov names a secret by a hash of it; the file and line identify the finding.
        resource_id = f"{result.file_path}:{result.start_line or 0}"
        kind = "secret"
    else:
        resource_id, kind = result.resource, result.resource.split(".", 1)[0]
    return Resource(
        type=kind,
        id=resource_id,
        source=source,
        location=Location(result.file_path, result.start_line, result.end_line),
        attributes={},
    )
