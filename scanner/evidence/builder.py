"""Render a BundleModel into files and write them as a directory or a zip, with the manifest.

Every file is produced in memory first (path -> bytes), so the manifest, SHA256SUMS and signature
are computed over exactly what is written. Determinism: sorted paths, JSON with sorted keys, zip
entries with a fixed 1980-01-01 timestamp and fixed permissions, no clock, no random ids.

Rendering lives in `pages` and `data_files`, writing in `bundle_writing`, reading the inputs in
`inputs`; this module assembles the files and re-exports those modules' public names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scanner.compliance.coverage import to_csv
from scanner.evidence.bundle_writing import (
    ZIP_FILE_MODE,
    ZIP_TIMESTAMP,
    write_bundle,
    write_directory,
    write_zip,
)
from scanner.evidence.data_files import (
    findings_document,
    metadata_document,
    oscal_file,
    population_files,
    raw_evidence_files,
)
from scanner.evidence.errors import EvidenceError
from scanner.evidence.filenames import check_bundle_path
from scanner.evidence.inputs import (
    attestation_inputs,
    carry_file,
    catalog_sha256,
    load_report,
    policies_sha256,
    report_names,
    responses_file,
    tree_sha256,
    waivers_file,
)
from scanner.evidence.manifest import VERIFY_GUIDE, key_fingerprint, seal, verify_guide
from scanner.evidence.model import COVERAGE_COLUMNS, BundleModel
from scanner.evidence.pages import (
    TEMPLATE_PAGES,
    describe_location,
    markdown_cell,
    render_pages,
    render_template,
    template_environment,
)
from scanner.evidence.pdf_report import REPORT_PDF, content_hash, render_pdf
from scanner.evidence.text_safety import dump_json, scrub

__all__ = [
    "TEMPLATE_PAGES",
    "ZIP_FILE_MODE",
    "ZIP_TIMESTAMP",
    "BuildOptions",
    "EvidenceError",
    "attestation_inputs",
    "bundle_files",
    "carry_file",
    "catalog_sha256",
    "describe_location",
    "dump_json",
    "findings_document",
    "load_report",
    "markdown_cell",
    "metadata_document",
    "policies_sha256",
    "raw_evidence_files",
    "report_names",
    "responses_file",
    "scrub",
    "template_environment",
    "tree_sha256",
    "waivers_file",
    "write_bundle",
    "write_directory",
    "write_zip",
]


@dataclass(frozen=True)
class BuildOptions:
    templates: Path | None = None
    sign_key_pem: bytes | None = None
    export: Mapping[str, Any] | None = None  # what the export was asked (names, not paths)
    pdf: bool = False  # add report.pdf (needs Chromium)
    preparer: str | None = None  # named on report.pdf's cover


def _report_pdf(
    model: BundleModel, environment: Any, files: Mapping[str, bytes], preparer: str | None
) -> bytes:
    report = {
        "bundle_hash": content_hash(files),
        "preparer": preparer,
        "system": model.system.name if model.system else None,
    }
    html = render_template(environment, "report-print.html.j2", model=model, report=report)
    return render_pdf(html.decode("utf-8"), model.generated_at)


def bundle_files(model: BundleModel, options: BuildOptions) -> dict[str, bytes]:
    """Every file of the bundle, path -> bytes, integrity files included."""
    environment = template_environment(options.templates)
    export = dict(options.export or {})
    export["signed"] = options.sign_key_pem is not None
    fingerprint = None
    if options.sign_key_pem is not None:
        fingerprint = key_fingerprint(options.sign_key_pem)
        model = replace(model, signing_key_sha256=fingerprint)
    files: dict[str, bytes] = {}
    files.update(render_pages(model, environment))
    files["findings.json"] = dump_json(findings_document(model))
    rows = [{**row} for row in model.coverage]
    files["coverage.csv"] = scrub(to_csv(rows, [*COVERAGE_COLUMNS, "status"])).encode("utf-8")
    files["run/metadata.json"] = dump_json(metadata_document(model, export))
    files.update(raw_evidence_files(model))
    files.update(population_files(model))
    files.update(model.attachments)
    files.update(oscal_file(model, files))
    files[VERIFY_GUIDE] = verify_guide(fingerprint)
    if options.pdf:
        files[REPORT_PDF] = _report_pdf(model, environment, files, options.preparer)
    for path in files:
        check_bundle_path(path)
    return seal(
        files,
        {
            "uuid": model.uuid,
            "format_version": model.format_version,
            "framework": model.framework,
            "generated_at": model.generated_at,
            "tool": {"name": model.tool_name, "version": model.tool_version},
            "signed": export["signed"],
            "signing_key_sha256": fingerprint,
        },
        options.sign_key_pem,
    )
