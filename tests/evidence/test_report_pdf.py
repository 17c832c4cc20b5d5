"""report.pdf, checked as a person would: rendered to PNG pages by poppler's pdftoppm, read back
with pdftotext. Chromium (Debian's package) prints it; the bytes are reproducible."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scanner.evidence.builder import BuildOptions, bundle_files, write_directory
from scanner.evidence.pdf_report import chromium_path
from tests.evidence.test_evidence_model import (  # noqa: F401
    CONTROL,
    build,
    finding,
    policies,
    report,
)

pytestmark = [
    pytest.mark.skipif(
        shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
        reason="needs poppler-utils (apt-get install poppler-utils)",
    ),
    pytest.mark.skipif(not chromium_path().is_file(), reason="needs Debian's chromium"),
]
pytest.importorskip("playwright.sync_api")

LONG_ID = "crb-" + "very-long-resource-name-" * 8  # must wrap, not be clipped


@pytest.fixture(scope="module")
def bundle(policies: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    model = build(
        policies,
        [
            report(
                "a.json", "2020-06-01T10:00:00Z", [finding(LONG_ID, "fail"), finding("ok", "pass")]
            )
        ],
    )
    options = BuildOptions(pdf=True, preparer="Grace Auditor")
    first = bundle_files(model, options)
    second = bundle_files(model, options)
    assert first == second  # byte-reproducible, report.pdf included
    out = tmp_path_factory.mktemp("pdf") / "bundle"
    write_directory(first, out)
    return out


def test_pdf_pages_render_and_carry_every_control_id(bundle: Path, tmp_path: Path) -> None:
    pdf = bundle / "report.pdf"
    subprocess.run(["pdftoppm", "-r", "12", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    controls = {
        e["id"]
        for e in __import__("json").loads((bundle / "findings.json").read_text())["controls"]
    }
    assert len(controls) == 68
    # cover + summary (>= 1) + one page per control at least + exceptions + risk acceptances
    assert len(pages) >= 1 + 1 + len(controls) + 2
    assert all(p.stat().st_size > 0 for p in pages)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    missing = [c for c in controls if c not in flat]
    assert missing == []
    assert "Grace Auditor" in flat and "Risk acceptances" in flat and "Remediation" in flat
    # The long resource id wrapped (present in pieces), not clipped away.
    plain = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    # pdftotext drops the hyphen where a line broke: compare without hyphens and spaces.
    assert LONG_ID.replace("-", "") in re.sub(r"[\s-]", "", plain)
    # The cover's bundle hash is recomputable from SHA256SUMS, as VERIFY.md says.
    sums = (bundle / "SHA256SUMS").read_text().splitlines()
    kept = "".join(
        line + "\n" for line in sums if not line.endswith(("  report.pdf", "  manifest.json"))
    )
    digest = hashlib.sha256(kept.encode()).hexdigest()
    assert digest in re.sub(r"\s", "", text)
    recomputed = subprocess.run(
        ["/bin/sh", "-c", "grep -v -E '  (report.pdf|manifest.json)$' SHA256SUMS | sha256sum"],
        cwd=bundle,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[0]
    assert recomputed == digest
    assert b"/CreationDate (D:20200601100000" in pdf.read_bytes()  # the scan's time, no clock
