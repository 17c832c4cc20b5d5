"""report.pdf: the bundle's printable report, rendered by Chromium's print-to-PDF (playwright).

Why Chromium and not WeasyPrint: see docs/decisions.md. Chromium stamps the PDF with the clock
(/CreationDate, /ModDate); those 14 digits are overwritten in place with the bundle's own time, so
the byte length and every cross-reference offset stay valid and the same inputs give the same
bytes on the same Chromium. Nothing else in Chromium's output varies between runs (checked by a
test that renders twice).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from scanner.evidence.errors import EvidenceError
from scanner.evidence.manifest import render_sums, sha256_hex

CHROMIUM_ENV = "COMPLY_CHROMIUM"
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
_PDF_DATES = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)(\d{14})")


REPORT_PDF = "report.pdf"


def content_hash(files: Mapping[str, bytes]) -> str:
    """The bundle hash on report.pdf's cover: SHA-256 of the SHA256SUMS lines of every file but
    report.pdf and the integrity files, which an auditor recomputes with
    `grep -v -E '  (report.pdf|manifest.json)$' SHA256SUMS | sha256sum`."""
    return sha256_hex(render_sums(files))


def chromium_path() -> Path:
    return Path(os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)


def fix_dates(pdf: bytes, generated_at: str) -> bytes:
    """Overwrite the PDF's creation and modification times with `generated_at` (ISO, UTC)."""
    digits = re.sub(r"\D", "", generated_at)[:14].ljust(14, "0").encode()
    return _PDF_DATES.sub(lambda m: m.group(1) + digits, pdf)


def render_pdf(html: str, generated_at: str) -> bytes:
    """A4 PDF of a self-contained HTML page (no network: every request is refused)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise EvidenceError(
            "report.pdf needs the playwright package (pip install playwright) and Chromium "
            "(Debian: apt-get install chromium)"
        ) from None
    browser_path = chromium_path()
    if not browser_path.is_file():
        raise EvidenceError(
            f"report.pdf needs Chromium at {browser_path} (apt-get install chromium, "
            f"or set {CHROMIUM_ENV})"
        )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(browser_path), args=_ARGS, headless=True
            )
            try:
                context = browser.new_context(java_script_enabled=False, offline=True)
                context.route("**/*", lambda route: route.abort())
                page = context.new_page()
                page.set_content(html, wait_until="load")
                data = page.pdf(
                    format="A4",
                    print_background=True,
                    margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
                )
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise EvidenceError(f"Chromium could not print report.pdf: {exc}") from exc
    return fix_dates(data, generated_at)
