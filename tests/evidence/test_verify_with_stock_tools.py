"""VERIFY.md in the bundle: its commands, run for real with sha256sum and openssl, check the bundle.

The commands are taken from VERIFY.md itself, so the guide cannot drift from what works.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scanner.evidence.builder import BuildOptions, bundle_files, write_directory
from tests.evidence.test_evidence_model import build, finding, policies, report  # noqa: F401

TOOLS = ("sha256sum", "openssl", "base64")
pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS),
    reason=f"needs {', '.join(TOOLS)} (coreutils, openssl)",
)


def keys(tmp_path: Path) -> tuple[bytes, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = tmp_path / "public.pem"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def guide_commands(text: str) -> list[str]:
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip() and not line.startswith("comply "):
                commands.append(line.strip())
    return commands


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def signed_bundle(policies: Any, tmp_path: Path) -> tuple[Path, Path]:  # noqa: F811
    private, public = keys(tmp_path)
    model = build(policies, [report("a.json", "2020-06-01T10:00:00Z", [finding("crb", "fail")])])
    out = tmp_path / "bundle"
    write_directory(bundle_files(model, BuildOptions(sign_key_pem=private)), out)
    return out, public


def test_the_guides_commands_verify_the_bundle_and_catch_tampering(
    signed_bundle: tuple[Path, Path],
) -> None:
    out, public = signed_bundle
    guide = (out / "VERIFY.md").read_text()
    fingerprint = json.loads((out / "manifest.json").read_text())["bundle"]["signing_key_sha256"]
    assert fingerprint.startswith("SHA256:") and fingerprint in guide
    assert fingerprint in (out / "index.html").read_text()  # the cover page shows it too
    commands = [c.replace("public.pem", str(public)) for c in guide_commands(guide)]
    assert commands[0] == "sha256sum -c SHA256SUMS"
    results = [run(c, out) for c in commands]
    assert all(r.returncode == 0 for r in results), [(r.stdout, r.stderr) for r in results]
    assert "FAILED" not in results[0].stdout and results[0].stdout.count(": OK") > 5
    by_command = dict(zip(commands, results, strict=True))
    printed = next(r for c, r in by_command.items() if c.startswith("openssl pkey "))
    assert printed.stdout.split()[0] == fingerprint.removeprefix("SHA256:")
    assert "Signature Verified Successfully" in results[-1].stdout

    # A forged file is caught by sha256sum; a forged manifest by openssl.
    (out / "findings.json").write_text("{}")
    assert run(commands[0], out).returncode != 0
    (out / "manifest.json").write_text((out / "manifest.json").read_text() + " ")
    assert run(commands[-1], out).returncode != 0


def test_an_unsigned_bundle_says_so(policies: Any, tmp_path: Path) -> None:  # noqa: F811
    model = build(policies, [report("a.json", "2020-06-01T10:00:00Z", [finding("crb", "pass")])])
    out = tmp_path / "bundle"
    write_directory(bundle_files(model, BuildOptions()), out)
    guide = (out / "VERIFY.md").read_text()
    assert "not signed" in guide and "openssl" not in "".join(guide_commands(guide))
    assert run("sha256sum -c SHA256SUMS", out).returncode == 0
