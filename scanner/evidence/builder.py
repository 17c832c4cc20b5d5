"""Render a BundleModel into files and write them as a directory or a zip, with the manifest.

Every file is produced in memory first (path -> bytes), so the manifest, SHA256SUMS and signature
are computed over exactly what is written. Determinism: sorted paths, JSON with sorted keys, zip
entries with a fixed 1980-01-01 timestamp and fixed permissions, no clock, no random ids.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from scanner.attestations import URL_PATTERN, Attestation
from scanner.controls import Catalog
from scanner.coverage import to_csv
from scanner.evidence.filenames import check_bundle_path, safe_copy_name
from scanner.evidence.manifest import (
    SIGNATURE,
    SUMS,
    file_entries,
    render_manifest,
    render_sums,
    sha256_hex,
    sign,
)
from scanner.evidence.model import (
    COVERAGE_COLUMNS,
    AttestationEvidenceItem,
    BundleModel,
    ControlRecord,
    CopiedFile,
    ReportDocument,
)
from scanner.paths import evidence_templates_dir
from scanner.redaction import REDACTED, SECRET_VALUE_PATTERNS, redact

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ZIP_FILE_MODE = 0o100644  # regular file, rw-r--r--
TEMPLATE_PAGES = (
    "index.html.j2",
    "index.md.j2",
    "control.html.j2",
    "control.md.j2",
    "risk-acceptances.html.j2",
    "risk-acceptances.md.j2",
)


class EvidenceError(Exception):
    """The bundle cannot be built or written; the message says why."""


# ---------------------------------------------------------------------------------------------
# Text safety


def scrub(text: str) -> str:
    """Replace anything that looks like a credential: the last net before bytes are written."""
    for pattern in SECRET_VALUE_PATTERNS.values():
        text = pattern.sub(REDACTED, text)
    return text


def dump_json(value: Any) -> bytes:
    text = json.dumps(redact(value), indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return scrub(text + "\n").encode("utf-8")


def markdown_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell or paragraph: no HTML, no table breaks."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"([\\`*\[\]|#])", r"\\\1", text)
    # `_` only emphasises at a word boundary; escaping it inside ids would make them unreadable.
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    return " ".join(text.split())


def describe_location(location: Mapping[str, Any] | None) -> str:
    """`compute.tf:3-11`, or `account 123456789012, us-east-1` for live resources."""
    location = location or {}
    parts = []
    if location.get("file"):
        text = str(location["file"])
        start, end = location.get("start_line"), location.get("end_line")
        if start:
            text += f":{start}" + (f"-{end}" if end and end != start else "")
        parts.append(text)
    if location.get("account"):
        parts.append(f"account {location['account']}")
    if location.get("region"):
        parts.append(str(location["region"]))
    return ", ".join(parts)


# ---------------------------------------------------------------------------------------------
# Templates


def template_environment(user_dir: Path | None) -> Environment:
    """User templates first, the bundled ones behind them; HTML autoescaped, Markdown not."""
    loaders = [FileSystemLoader(str(user_dir))] if user_dir is not None else []
    loaders.append(FileSystemLoader(str(evidence_templates_dir())))
    environment = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["md"] = markdown_cell
    environment.filters["location"] = describe_location
    environment.filters["pretty_json"] = lambda value: json.dumps(
        value, indent=2, sort_keys=True, ensure_ascii=False, default=str
    )
    return environment


def _render(environment: Environment, name: str, **context: Any) -> bytes:
    try:
        text = environment.get_template(name).render(**context)
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        raise EvidenceError(
            f"template {where}{f' line {line}' if line else ''}: {exc.message or exc}"
        ) from exc
    return scrub(text).encode("utf-8")


def _link(from_path: str, to_path: str) -> str:
    """A relative link from one bundle file to another."""
    depth = from_path.count("/")
    return "../" * depth + to_path


def _pages(model: BundleModel, environment: Environment) -> dict[str, bytes]:
    common = {"model": model, "status_order": list(model.control_summary)}
    files = {
        "index.html": _render(
            environment, "index.html.j2", root="", link=lambda p: _link("index.html", p), **common
        ),
        "index.md": _render(
            environment, "index.md.j2", root="", link=lambda p: _link("index.md", p), **common
        ),
    }
    for suffix in ("html", "md"):
        name = f"risk-acceptances.{suffix}"
        files[name] = _render(
            environment,
            f"risk-acceptances.{suffix}.j2",
            root="",
            link=lambda p, n=name: _link(n, p),
            **common,
        )
    for control in model.controls:
        for path, template in (
            (control.html_path, "control.html.j2"),
            (control.md_path, "control.md.j2"),
        ):
            files[path] = _render(
                environment,
                template,
                root="../../",
                control=control,
                link=_linker(path),
                **common,
            )
    return files


def _linker(from_path: str) -> Callable[[str], str]:
    return lambda to_path: _link(from_path, to_path)


# ---------------------------------------------------------------------------------------------
# Data files


def _control_rollup(control: ControlRecord) -> dict[str, Any]:
    attestation = control.attestation
    return {
        "framework": control.framework,
        "id": control.id,
        "title": control.title,
        "status": control.status,
        "automation": control.automation,
        "counts": dict(control.counts),
        "checks": list(control.checks),
        "reason": control.reason,
        "evaluated": control.evaluated,
        "population": dict(control.population_by_source),
        "attestation": None
        if attestation is None
        else {
            "statement": attestation.statement,
            "owner": attestation.owner,
            "date": attestation.date,
            "expires": attestation.expires,
            "evidence": [item.reference for item in attestation.evidence],
            "current": attestation.current,
        },
        "page": control.html_path,
    }


def findings_document(model: BundleModel) -> dict[str, Any]:
    """The merged findings in the JSON report's contract shape, plus bundle links."""
    return {
        "schema_version": "1",
        "tool": {"name": model.tool_name, "version": model.tool_version},
        "framework": model.framework,
        "generated_at": model.generated_at,
        "reports": [
            {
                "name": r.name,
                "sha256": r.sha256,
                "source": r.source,
                "started_at": r.started_at,
                "finished_at": r.finished_at,
            }
            for r in model.reports
        ],
        "summary": model.finding_summary,
        "findings": [
            {**f.data, "report": f.report, "evidence": f.evidence_path} for f in model.findings
        ],
        "errors": [{**e, "report": r.name} for r in model.reports for e in r.errors],
        "warnings": [{**w, "report": r.name} for r in model.reports for w in r.warnings],
        "controls": [_control_rollup(c) for c in model.controls],
    }


def _collect(values: Sequence[Any]) -> list[Any]:
    """Unique values in first-seen order (dicts compared by their JSON)."""
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(json.dumps(value, sort_keys=True, default=str), value)
    return list(seen.values())


def metadata_document(model: BundleModel, export: Mapping[str, Any]) -> dict[str, Any]:
    contexts = [r.context for r in model.reports]
    accounts = [a for c in contexts for a in (c.get("accounts") or [])]
    callers = [c[k] for c in contexts for k in ("caller_identity", "caller") if c.get(k)]
    callers += [a["caller_arn"] for a in accounts if isinstance(a, dict) and a.get("caller_arn")]
    regions = [g for c in contexts for g in (c.get("regions") or [])]
    regions += [g for a in accounts if isinstance(a, dict) for g in (a.get("regions") or [])]
    return {
        "bundle": {
            "uuid": model.uuid,
            "format_version": model.format_version,
            "framework": model.framework,
            "framework_name": model.framework_name,
            "framework_version": model.framework_version,
            "generated_at": model.generated_at,
            "evaluated_on": model.evaluated_on.isoformat(),
        },
        "tool": {"name": model.tool_name, "version": model.tool_version},
        "policies": {
            "policies_sha256": model.policies_sha256,
            "catalog_sha256": model.catalog_sha256,
        },
        "export": dict(export),
        "sources": list(model.sources),
        "reports": [
            {
                "name": r.name,
                "sha256": r.sha256,
                "schema_version": r.schema_version,
                "tool": {"name": r.tool_name, "version": r.tool_version},
                "source": r.source,
                "targets": list(r.targets),
                "started_at": r.started_at,
                "finished_at": r.finished_at,
                "summary": dict(r.summary),
                "context": dict(r.context),
                "errors": len(r.errors),
                "warnings": len(r.warnings),
            }
            for r in model.reports
        ],
        "repositories": _collect([c["repository"] for c in contexts if c.get("repository")]),
        "caller_identities": sorted({str(c) for c in callers}),
        "accounts": _collect(accounts),
        "regions": sorted({str(g) for g in regions}),
        "redaction_rules": list(model.redaction_rules),
    }


def raw_evidence_files(model: BundleModel) -> dict[str, bytes]:
    reports = {r.name: r for r in model.reports}
    files = {}
    for resource in model.resources:
        report = reports[resource.report]
        files[resource.evidence_path] = dump_json(
            {
                "resource": {"id": resource.id, "type": resource.type, "source": resource.source},
                "location": dict(resource.location),
                "collected": {
                    "report": report.name,
                    "report_sha256": report.sha256,
                    "source": report.source,
                    "targets": list(report.targets),
                    "started_at": report.started_at,
                    "finished_at": report.finished_at,
                    "arguments": report.context.get("arguments"),
                },
                "raw": resource.raw,
            }
        )
    return files


def _oscal(model: BundleModel, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """oscal/assessment-results.json when the OSCAL generator is installed; nothing otherwise."""
    try:
        module = importlib.import_module("scanner.evidence.oscal")
    except ModuleNotFoundError as exc:
        if exc.name == "scanner.evidence.oscal":
            return {}
        raise
    generate = module.assessment_results
    digests = {entry["path"]: entry for entry in file_entries(files)}
    takes_files = len(inspect.signature(generate).parameters) >= 2
    document = generate(model, digests) if takes_files else generate(model)
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    return {"oscal/assessment-results.json": scrub(text).encode("utf-8")}


# ---------------------------------------------------------------------------------------------
# Assembly and writing


@dataclass(frozen=True)
class BuildOptions:
    templates: Path | None = None
    sign_key_pem: bytes | None = None
    export: Mapping[str, Any] | None = None  # what the export was asked (names, not paths)


def bundle_files(model: BundleModel, options: BuildOptions) -> dict[str, bytes]:
    """Every file of the bundle, path -> bytes, integrity files included."""
    environment = template_environment(options.templates)
    export = dict(options.export or {})
    export["signed"] = options.sign_key_pem is not None
    files: dict[str, bytes] = {}
    files.update(_pages(model, environment))
    files["findings.json"] = dump_json(findings_document(model))
    rows = [{**row} for row in model.coverage]
    files["coverage.csv"] = scrub(to_csv(rows, [*COVERAGE_COLUMNS, "status"])).encode("utf-8")
    files["run/metadata.json"] = dump_json(metadata_document(model, export))
    files.update(raw_evidence_files(model))
    files.update(model.attachments)
    files.update(_oscal(model, files))
    for path in files:
        check_bundle_path(path)
    manifest = render_manifest(
        files,
        {
            "uuid": model.uuid,
            "format_version": model.format_version,
            "framework": model.framework,
            "generated_at": model.generated_at,
            "tool": {"name": model.tool_name, "version": model.tool_version},
            "signed": export["signed"],
        },
    )
    files["manifest.json"] = manifest
    files[SUMS] = render_sums(files)
    if options.sign_key_pem is not None:
        files[SIGNATURE] = sign(manifest, options.sign_key_pem)
    return dict(sorted(files.items()))


def write_zip(files: Mapping[str, bytes], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".evidence-", suffix=".zip", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
            for path in sorted(files):
                info = zipfile.ZipInfo(path, date_time=ZIP_TIMESTAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # unix, so the permissions below are read
                info.external_attr = ZIP_FILE_MODE << 16
                archive.writestr(info, files[path], compresslevel=9)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_directory(files: Mapping[str, bytes], out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EvidenceError(f"{out} exists and is not an empty directory; choose a new path")
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    for path in sorted(files):
        target = (root / check_bundle_path(path)).resolve()
        if root not in target.parents:
            raise EvidenceError(f"refusing to write {path!r} outside the bundle")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[path])


def write_bundle(files: Mapping[str, bytes], out: Path) -> None:
    try:
        if out.suffix.lower() == ".zip":
            write_zip(files, out)
        else:
            write_directory(files, out)
    except OSError as exc:
        raise EvidenceError(f"cannot write the bundle to {out}: {exc.strerror or exc}") from exc


# ---------------------------------------------------------------------------------------------
# Reading the inputs


def load_report(path: Path, name: str) -> ReportDocument:
    """A JSON report written by `comply scan ... -o json=PATH`, checked for the contract."""
    try:
        data = path.read_bytes()
        document = json.loads(data.decode("utf-8"))
    except OSError as exc:
        raise EvidenceError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvidenceError(f"{path}: is not a JSON report: {exc}") from exc
    if not isinstance(document, dict) or document.get("schema_version") != "1":
        raise EvidenceError(f'{path}: not a comply JSON report (schema_version "1" expected)')
    for key in ("scan", "findings", "resources"):
        if key not in document:
            raise EvidenceError(f"{path}: the report has no {key!r}; rescan with this comply")
    finished = (document.get("scan") or {}).get("finished_at")
    if not isinstance(finished, str) or not re.match(r"^\d{4}-\d{2}-\d{2}T", finished):
        raise EvidenceError(f"{path}: scan.finished_at is missing or not a UTC timestamp")
    return ReportDocument(name=name, sha256=sha256_hex(data), document=document)


def report_names(paths: Sequence[Path]) -> list[str]:
    """Unique labels from base names: `tf.json`, `tf-2.json` for a second `tf.json`."""
    names: list[str] = []
    for path in paths:
        base, candidate, n = path.name, path.name, 1
        while candidate in names:
            n += 1
            candidate = f"{Path(base).stem}-{n}{Path(base).suffix}"
        names.append(candidate)
    return names


def tree_sha256(files: Sequence[tuple[str, bytes]]) -> str:
    """One digest over (relative name, content) pairs, order-independent."""
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode() + b"\x00" + sha256_hex(data).encode() + b"\n")
    return digest.hexdigest()


def policies_sha256(policy_dirs: Sequence[Path]) -> str:
    """The built-in `policies` package plus user policy folders: the checks' version."""
    package = importlib.import_module("policies")
    folders = [("builtin", Path(p)) for p in package.__path__]
    folders += [(f"user{i}", p) for i, p in enumerate(policy_dirs)]
    pairs = [
        (f"{label}/{path.relative_to(folder).as_posix()}", path.read_bytes())
        for label, folder in folders
        for path in folder.rglob("*.py")
        if "__pycache__" not in path.parts
    ]
    return tree_sha256(pairs)


def catalog_sha256(catalog: Catalog) -> str:
    pairs = []
    for framework in catalog.frameworks.values():
        source = Path(framework.source)
        data = source.read_bytes() if source.is_file() else framework.id.encode()
        pairs.append((f"{framework.id}/{source.name}", data))
    return tree_sha256(pairs)


def _text_or_none(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def carry_file(data: bytes) -> tuple[bytes | None, bool]:
    """(bytes to put in the bundle, redacted?) for a user file; None when it must stay out.

    Text is scrubbed of credential-looking values; a binary file that seems to hold one is withheld
    rather than copied, because it cannot be redacted without breaking it.
    """
    text = _text_or_none(data)
    if text is not None:
        cleaned = scrub(text)
        return cleaned.encode("utf-8"), cleaned != text
    if any(p.search(data.decode("latin-1")) for p in SECRET_VALUE_PATTERNS.values()):
        return None, False
    return data, False


def attestation_inputs(
    path: Path, attestations: Sequence[Attestation]
) -> tuple[CopiedFile, dict[tuple[str, str], AttestationEvidenceItem], dict[str, bytes]]:
    """The attestations file and the evidence files it names, as they go into the bundle."""
    attachments: dict[str, bytes] = {}
    original = path.read_bytes()
    document = yaml.safe_load(original.decode("utf-8"))
    carried, redacted = carry_file(original)
    if carried is None or redact(document) != document:
        carried = yaml.safe_dump(redact(document), sort_keys=False, allow_unicode=True).encode()
        carried, redacted = scrub(carried.decode()).encode(), True
    bundle_path = f"attestations/{safe_copy_name(path.name)}"
    attachments[bundle_path] = carried
    copied = CopiedFile(path.name, bundle_path, sha256_hex(carried), redacted)
    items: dict[tuple[str, str], AttestationEvidenceItem] = {}
    for attestation in attestations:
        for ref in attestation.evidence:
            items[(attestation.source, ref)] = _evidence_item(path.parent, ref, attachments)
    return copied, items, attachments


def _evidence_item(
    folder: Path, ref: str, attachments: dict[str, bytes]
) -> AttestationEvidenceItem:
    if URL_PATTERN.match(ref):
        return AttestationEvidenceItem(scrub(ref), "url", "link", None, None)
    source = folder / ref
    if not source.is_file():
        return AttestationEvidenceItem(ref, "file", "missing", None, None)
    carried, _ = carry_file(source.read_bytes())
    if carried is None:
        return AttestationEvidenceItem(ref, "file", "withheld", None, None)
    bundle_path = f"attestations/files/{safe_copy_name(ref)}"
    attachments[bundle_path] = carried
    return AttestationEvidenceItem(ref, "file", "copied", bundle_path, sha256_hex(carried))


def waivers_file(path: Path) -> tuple[CopiedFile, dict[str, bytes]]:
    carried, redacted = carry_file(path.read_bytes())
    if carried is None:
        raise EvidenceError(f"{path}: a waivers file must be text")
    bundle_path = f"waivers/{safe_copy_name(path.name)}"
    return CopiedFile(path.name, bundle_path, sha256_hex(carried), redacted), {bundle_path: carried}
