"""`scrub()` of copied attestation evidence removes a private key's whole PEM block (the BEGIN
line alone was removed before, and the key body was copied into the bundle)."""

from __future__ import annotations

from scanner.evidence.text_safety import scrub
from tests.conftest import FIXTURES

NOTES = FIXTURES / "canary" / "files" / "notes.md"


def test_the_pem_body_is_removed_with_its_markers() -> None:
    text = NOTES.read_text()
    body = [line for line in text.splitlines() if line.startswith(("MIIE", "canaryPEM"))]
    assert len(body) == 2
    out = scrub(text)
    assert not any(line in out for line in body)
    assert "BEGIN RSA PRIVATE KEY" not in out and "END RSA PRIVATE KEY" not in out
    assert "# Review notes" in out and "And a key, body included:" in out  # the rest is kept


def test_a_key_without_its_end_line_is_removed_to_the_end() -> None:
    text = NOTES.read_text().split("-----END")[0]
    out = scrub(text)
    assert "canaryPEMbodyLine2" not in out and "MIIEcanary" not in out
