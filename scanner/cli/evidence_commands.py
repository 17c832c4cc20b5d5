"""`comply evidence export` and `comply evidence verify`: the auditor evidence bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scanner import __version__
from scanner.cli.common import fail, framework_dir_option, load_policies, policy_options
from scanner.cli.evidence_context import (
    effective_configuration,
    export_operator,
    system_description,
)
from scanner.compliance.attestations import AttestationError, load_attestations
from scanner.compliance.waivers import WaiverError, load_waivers
from scanner.core.control_chars import neutralise_controls
from scanner.core.model import ScanWarning
from scanner.core.wording import plural
from scanner.evidence.builder import (
    BuildOptions,
    EvidenceError,
    attestation_inputs,
    bundle_files,
    catalog_sha256,
    load_report,
    policies_sha256,
    report_names,
    responses_file,
    waivers_file,
    write_bundle,
)
from scanner.evidence.filenames import safe_copy_name
from scanner.evidence.manifest import SigningError
from scanner.evidence.model import ModelInputs, build_model
from scanner.evidence.oscal import OscalError
from scanner.evidence.responses import load_responses
from scanner.evidence.text_safety import dump_json
from scanner.evidence.verify import BundleReadError, verify_bundle

EXIT_DIFFERS = 1

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def evidence() -> None:
    """Auditor evidence bundles: export one per framework, verify one you received."""


@evidence.command("export")
@click.argument("reports", nargs=-1, type=_file)
@click.option("--framework", required=True, help="The framework of the bundle (hipaa, soc2).")
@click.option(
    "--from",
    "period_from",
    help="Period start (YYYY-MM-DD, UTC): export the stored runs of a period, not REPORTS.",
)
@click.option("--to", "period_to", help="Period end, inclusive (YYYY-MM-DD, UTC).")
@click.option(
    "--store",
    "store_url",
    envvar="COMPLY_STORE",
    help="History store of the period's runs [default: `store:` of .comply.yaml, $COMPLY_STORE].",
)
@click.option("--scope", help="Only runs of this scope (see `comply history runs`).")
@click.option(
    "--cadence",
    help="How often runs are expected (1d, 12h, 1w) "
    "[default: evidence.cadence of .comply.yaml, else 1d].",
)
@click.option("--attestations", "attestations_path", type=_file, help="attestations.yaml.")
@click.option("--waivers", "waivers_path", type=_file, help="waivers.yaml (risk acceptances).")
@click.option(
    "--responses",
    "responses_path",
    type=_file,
    help="responses.yaml: management's response to exceptions (owner, due, ticket, status).",
)
@click.option(
    "--evidence-root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Attestation evidence files must be inside this folder "
    "[default: the attestations file's folder].",
)
@click.option(
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of your own templates; any page it lacks uses the bundled template.",
)
@click.option("--sign-key", type=_file, help="PEM Ed25519 private key: sign manifest.json.")
@click.option(
    "--pdf/--no-pdf",
    default=False,
    help="Add report.pdf, printed by Chromium (apt-get install chromium; pip install playwright).",
)
@click.option("--preparer", help="Who prepared the bundle, named on report.pdf's cover.")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="A .zip file, or a new (or empty) directory.",
)
@policy_options
@framework_dir_option
def export(
    reports: tuple[Path, ...],
    framework: str,
    period_from: str | None,
    period_to: str | None,
    store_url: str | None,
    scope: str | None,
    cadence: str | None,
    attestations_path: Path | None,
    waivers_path: Path | None,
    responses_path: Path | None,
    evidence_root: Path | None,
    templates: Path | None,
    sign_key: Path | None,
    pdf: bool,
    preparer: str | None,
    out: Path,
    policy_dirs: tuple[Path, ...],
    framework_dirs: tuple[Path, ...],
) -> None:
    """Write the evidence bundle for FRAMEWORK from JSON REPORTS (`comply scan ... -o json=`),
    or from the stored runs of a period (--from, --to, --store)."""
    registry, catalog = load_policies(policy_dirs, framework_dirs)
    if framework not in catalog.frameworks:
        fail(f"unknown framework {framework!r}; known: {', '.join(sorted(catalog.frameworks))}")
    if period_from or period_to:
        if reports:
            fail("give either REPORTS or a period (--from, --to), not both")
        if not (period_from and period_to):
            fail("a period needs both --from and --to")
        from scanner.cli.evidence_period import export_period

        export_period(
            framework=framework,
            catalog=catalog,
            registry=registry,
            period=(period_from, period_to),
            store_url=store_url,
            scope=scope,
            cadence=cadence,
            attestations_path=attestations_path,
            evidence_root=evidence_root,
            waivers_path=waivers_path,
            responses_path=responses_path,
            templates=templates,
            sign_key=sign_key,
            pdf=pdf,
            preparer=preparer,
            out=out,
        )
        return
    if not reports:
        fail("give the JSON REPORTS to export, or a period with --from, --to and --store")
    try:
        names = report_names(reports)
        documents = [load_report(path, name) for path, name in zip(reports, names, strict=True)]
        inputs = ModelInputs(
            framework=framework,
            reports=documents,
            catalog=catalog,
            registry=registry,
            tool_version=__version__,
            policies_sha256=policies_sha256(policy_dirs),
            catalog_sha256=catalog_sha256(catalog),
        )
        attachments: dict[str, bytes] = {}
        if attestations_path is not None:
            attestations, warnings = load_attestations(attestations_path, catalog, evidence_root)
            for warning in warnings:
                click.echo(f"comply: warning: {warning.message}", err=True)
            copied, items, files = attestation_inputs(
                attestations_path, attestations, evidence_root
            )
            inputs.attestations, inputs.attestation_items = attestations, items
            inputs.attestations_file = copied
            attachments.update(files)
        if waivers_path is not None:
            waiver_warnings: list[ScanWarning] = []
            inputs.waivers = load_waivers(waivers_path, waiver_warnings)
            for warning in waiver_warnings:
                click.echo(f"comply: warning: {warning.target}: {warning.message}", err=True)
            inputs.waivers_file, files = waivers_file(waivers_path)
            attachments.update(files)
        for document in documents:  # the input reports themselves, not only their hashes
            attachments[f"inputs/reports/{safe_copy_name(document.name)}"] = dump_json(
                document.document
            )
        inputs.attachments = attachments
        inputs.system = system_description()
        if responses_path is not None:
            inputs.responses = load_responses(responses_path)
            attachments.update(responses_file(responses_path))
            inputs.attachments = attachments
        model = build_model(inputs)
        options = BuildOptions(
            templates=templates,
            sign_key_pem=sign_key.read_bytes() if sign_key is not None else None,
            pdf=pdf,
            preparer=preparer,
            export={
                "framework": framework,
                "reports": sorted(names),
                "attestations": attestations_path.name if attestations_path else None,
                "waivers": waivers_path.name if waivers_path else None,
                "templates": "custom, with bundled fallback" if templates else "bundled",
                "pdf": pdf,
                "operator": export_operator(),
                "configuration": effective_configuration(),
            },
        )
        files = bundle_files(model, options)
        write_bundle(files, out)
    except (EvidenceError, AttestationError, WaiverError, SigningError, OscalError) as exc:
        fail(str(exc))
    summary = ", ".join(f"{n} {state}" for state, n in model.control_summary.items() if n)
    click.echo(f"wrote {plural(len(files), 'file')} to {out}")
    click.echo(f"{model.framework_name}: {len(model.controls)} controls ({summary})")


@evidence.command("verify")
@click.argument("bundle", type=click.Path(exists=True, path_type=Path))
@click.option("--key", type=_file, help="PEM Ed25519 public key: check manifest.sig.")
def verify(bundle: Path, key: Path | None) -> None:
    """Re-hash every file of BUNDLE (zip or directory); name what was added, removed or changed.

    Exit 0 when every file matches, 1 when anything differs, 2 when BUNDLE cannot be read.
    """
    try:
        result = verify_bundle(bundle, key.read_bytes() if key is not None else None)
    except BundleReadError as exc:
        fail(str(exc))
    for line in result.lines():
        click.echo(neutralise_controls(line))  # entry names come from the (untrusted) bundle
    if not result.ok:
        click.echo(f"{bundle}: does NOT match its manifest", err=True)
        sys.exit(EXIT_DIFFERS)
    signature = f"; signature {result.signature}"
    click.echo(f"{bundle}: OK, {plural(result.files, 'file')} match the manifest{signature}")
