"""report.pdf, checked as a person would: rendered to PNG pages by poppler's pdftoppm, read back
with pdftotext. Chromium (Debian's package) prints it; the bytes are reproducible."""

from __future__ import annotations

import hashlib
import json
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
from tests.history.test_period_oscal import PERIOD_RESPONSES, WAIVERS

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
    controls = {e["id"] for e in json.loads((bundle / "findings.json").read_text())["controls"]}
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
    # A point-in-time report says so on its cover, never a period.
    assert "point in time: evidence as of 2020-06-01T10:00:00Z" in flat


# ---------------------------------------------------------------------------------------------
# The period (Type II) report.pdf, from the stored story of tests/history/test_period_export.py


def pdf_text(pdf: Path, *extra: str) -> str:
    return subprocess.run(
        ["pdftotext", *extra, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def period_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tests.history.test_period_export import (
        SYSTEM_YAML,
        attestations_file,
        comply,
        export,
        fill,
    )

    work = tmp_path_factory.mktemp("pdf-period")
    url = f"sqlite:///{work / 'history.db'}"
    fill(url)
    (work / ".comply.yaml").write_text(
        SYSTEM_YAML.replace("hipaa:164.308(a)(4)(ii)(C)", "hipaa:164.308(a)(4)(ii)(A)")
    )
    key, public = work / "key.pem", work / "public.pem"
    private = Ed25519PrivateKey.generate()
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    args = ("--pdf", "--preparer", "Grace Auditor", "--sign-key", key)
    args += ("--attestations", attestations_file(work))
    (work / "waivers.yaml").write_text(WAIVERS)
    (work / "responses.yaml").write_text(PERIOD_RESPONSES)
    args += ("--waivers", work / "waivers.yaml", "--responses", work / "responses.yaml")
    first, second = work / "first", work / "second"
    for out in (first, second):
        result = export(url, out, *args, cwd=work)
        assert result.returncode == 0, result.stderr
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert Path("report.pdf") in files
    # Byte-reproducible, report.pdf and the signature included (Ed25519 is deterministic).
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    verified = comply("evidence", "verify", first, "--key", public)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "signature" in verified.stdout
    return first


def test_period_pdf_cover_says_the_period_and_pages_carry_each_control(
    period_bundle: Path, tmp_path: Path
) -> None:
    pdf = period_bundle / "report.pdf"
    subprocess.run(["pdftoppm", "-r", "12", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    document = json.loads((period_bundle / "period" / "controls.json").read_text())
    controls = [c["id"] for c in document["controls"]]
    assert len(controls) == 68  # HIPAA has no categories: kept whole
    # cover + summary (>= 1) + one page per control at least + runs
    assert len(pages) >= 1 + 1 + len(controls) + 1
    assert all(p.stat().st_size > 0 for p in pages)
    flat = " ".join(pdf_text(pdf, "-layout").split())
    assert [c for c in controls if c not in flat] == []

    cover = " ".join(pdf_text(pdf, "-f", "1", "-l", "1").split())
    assert "period: 2026-11-01 to 2026-11-06, 5 complete runs" in cover
    # pdftotext drops the hyphen where a line broke: compare without hyphens and spaces.
    assert "from20261101T00:00:00Zto20261107T00:00:00Z" in re.sub(r"[\s-]", "", cover)
    assert "point in time" not in flat
    assert "Patient portal" in cover and "Grace Auditor" in cover
    manifest = json.loads((period_bundle / "manifest.json").read_text())
    compact = re.sub(r"\s", "", cover)
    assert manifest["bundle"]["signing_key_sha256"] in compact
    assert manifest["bundle"]["uuid"] in compact
    sums = (period_bundle / "SHA256SUMS").read_text().splitlines()
    kept = "".join(
        line + "\n" for line in sums if not line.endswith(("  report.pdf", "  manifest.json"))
    )
    assert hashlib.sha256(kept.encode()).hexdigest() in compact
    assert b"/CreationDate (D:20261107000000" in pdf.read_bytes()  # the period's end, no clock


def test_period_pdf_control_page_has_share_and_exceptions(period_bundle: Path) -> None:
    pdf = period_bundle / "report.pdf"
    pages = pdf_text(pdf).split("\f")
    mine = [p for p in pages if "164.308(a)(4)(ii)(C) — " in p]
    assert len(mine) == 1
    page = " ".join(mine[0].split())
    # The hand-computed answer (tests/history/test_period_export.py).
    assert "met (satisfied or attested) in 2 of 5 runs judged, 2 of them attested: 40.0%" in page
    assert "security-lead@example.com: 2026-11-02 to 2026-11-04" in page
    layout = " ".join(pdf_text(pdf, "-layout").split())
    assert "Check k8s_rbac_cluster_admin_not_bound" in page
    for row in (  # resource, first seen, last seen, resolved, days to fix, failing / waived
        "crb.bad 2026-11-01 03:00 2026-11-01 03:00 2026-11-02 03:00 1.0 1 failing, 0 waived",
        "crb.bad 2026-11-03 03:00 2026-11-04 03:00 2026-11-06 03:00 3.0 1 failing, 1 waived",
    ):
        assert row in layout, row
    # The timeline, consecutive runs with one status grouped: from, to, runs, status.
    for streak in (
        "2026-11-01 03:00 2026-11-01 03:00 1 not satisfied",
        "2026-11-02 03:00 2026-11-03 03:00 2 attested",
        "2026-11-04 03:00 2026-11-04 03:00 1 not satisfied",
        "2026-11-06 03:00 2026-11-06 03:00 1 incomplete",
    ):
        assert streak in layout, streak
    # The control marked not applicable says so, with who decided and why.
    decided = next(p for p in pages if "164.308(a)(4)(ii)(A) — " in p)
    assert "approved by ciso@example.com" in " ".join(decided.split())


def test_period_pdf_has_remediation_risk_acceptances_and_responses(period_bundle: Path) -> None:
    """The check's remediation text with its exceptions; the waivers in force during the period
    (approver, approval date, risk, expiry; not the one that expired before it); the responses
    with their state on the period's last day."""
    from scanner.cli.common import load_policies

    def compact(text: str) -> str:  # narrow cells wrap, pdftotext drops a hyphen at a break
        return re.sub(r"[\s-]", "", text)

    remediation = load_policies((), ())[0].checks["k8s_rbac_cluster_admin_not_bound"].remediation
    pages = [compact(p) for p in pdf_text(period_bundle / "report.pdf").split("\f")]
    words = compact(remediation)
    control = next(p for p in pages if compact("164.308(a)(4)(ii)(C) — ") in p)
    assert compact("Remediation (k8s_rbac_cluster_admin_not_bound)") + words in control
    exceptions = next(p for p in pages if p.startswith("ExceptionsEveryexception"))
    assert words in exceptions
    # crb.bad's two exceptions, answered by the closed response (the first match in file order).
    answered = compact("crb.bad 2026-11-03 03:00 2026-11-06 03:00 closed: owner-a@example.com, due")
    assert answered in exceptions
    risk = next(p for p in pages if p.startswith("Riskacceptances"))
    for row in (
        # check, resources, reason, approver, approved, risk, ticket, expires, exceptions
        "crb.bad Break-glass binding kept during the migration. ciso@example.com 2026-11-02 "
        "medium RISK-7 2026-11-03 2",
        # check, resources, owner, due, ticket, status, exceptions
        "crb.bad owner-a@example.com 2026-11-20 SEC-1 closed 2",
        "crb.ok owner-b@example.com 2026-11-30 SEC-2 open 0",
        "crb.gone owner-c@example.com 2026-11-05 SEC-3 overdue 0",
        "Status on the period's last day (2026-11-06)",
    ):
        assert compact(row) in risk, row
    assert "formerciso" not in risk and "RISK1" not in risk  # expired before the period
