"""End-to-end: real scans of the examples through the real CLI, then `comply evidence export` and
`comply evidence verify` on the bundle, as a user and an auditor would run them."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "evidence"
PLANTED_SECRETS = (b"AKIAPLANTEDEVIDENCE1", b"Pl4nted-Evidence-Passw0rd")
INTEGRITY = {"manifest.json", "SHA256SUMS", "manifest.sig"}

# Until the lead registers the group in scanner/cli.py, run the same `cli` with it added.
_SHIM = (
    "import sys\n"
    "from scanner.cli.main import cli, main\n"
    "from scanner.cli.evidence_commands import evidence\n"
    "cli.commands.setdefault('evidence', evidence)\n"
    "main()\n"
)


def _registered() -> bool:
    from scanner.cli.main import cli

    return "evidence" in cli.commands


def comply(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    head = ["-m", "scanner"] if args[0] != "evidence" or _registered() else ["-c", _SHIM]
    return subprocess.run(
        [sys.executable, *head, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(REPO_ROOT / ".pytest_cache" / "home"),
            **(env or {}),
        },
    )


# The kubernetes scan runs "in CI": its report records the CI run's page as its operator.
CI_ENV = {"GITHUB_RUN_ID": "4242", "GITHUB_REPOSITORY": "example/portal-infra"}
CI_RUN_URL = "https://github.com/example/portal-infra/actions/runs/4242"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("reports")
    waivers = FIXTURES / "waivers.yaml"
    scans = [
        ("terraform", "examples/terraform", "tf.json", ["--waivers", waivers, "--no-cache"]),
        ("kubernetes", "examples/kubernetes", "k8s.json", []),
        ("terraform", FIXTURES / "terraform", "hostile.json", ["--no-cache"]),
    ]
    out = []
    for source, target, name, extra in scans:
        env = CI_ENV if source == "kubernetes" else None
        result = comply("scan", source, target, "-o", f"json={folder / name}", *extra, env=env)
        assert result.returncode in (0, 1), result.stderr
        out.append(folder / name)
    return out


def export(reports: list[Path], out: Path, *extra: object) -> subprocess.CompletedProcess[str]:
    return comply(
        "evidence",
        "export",
        "--framework",
        "hipaa",
        *reports,
        "--attestations",
        FIXTURES / "attestations.yaml",
        "--waivers",
        FIXTURES / "waivers.yaml",
        "--out",
        out,
        *extra,
    )


@pytest.fixture(scope="module")
def bundle_zip(reports: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zip") / "evidence-hipaa.zip"
    result = export(reports, out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def bundle_dir(reports: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dir") / "bundle"
    result = export(reports, out)
    assert result.returncode == 0, result.stderr
    return out


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_layout_and_manifest_covers_every_file_and_nothing_else(bundle_dir: Path) -> None:
    files = files_of(bundle_dir)
    for expected in (
        "index.html",
        "findings.json",
        "coverage.csv",
        "run/metadata.json",
        "risk-acceptances.html",
        "attestations/attestations.yaml",
        "manifest.json",
        "SHA256SUMS",
    ):
        assert expected in files, expected
    assert any(p.startswith("controls/hipaa/") and p.endswith(".html") for p in files)
    assert any(p.startswith("controls/hipaa/") and p.endswith(".md") for p in files)
    assert any(p.startswith("evidence/raw/terraform/") for p in files)
    assert any(p.startswith("evidence/raw/kubernetes/") for p in files)

    manifest = json.loads(files["manifest.json"])
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - INTEGRITY
    for path, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[path]).hexdigest()
        assert entry["size"] == len(files[path])
    sums = [line.split("  ", 1) for line in files["SHA256SUMS"].decode().splitlines()]
    assert [path for _, path in sums] == sorted(set(files) - {"SHA256SUMS"})
    assert all(hashlib.sha256(files[path]).hexdigest() == digest for digest, path in sums)


def test_zip_and_directory_hold_the_same_files(bundle_zip: Path, bundle_dir: Path) -> None:
    with zipfile.ZipFile(bundle_zip) as archive:
        names = archive.namelist()
        zipped = {name: archive.read(name) for name in names}
        infos = archive.infolist()
    assert names == sorted(names)
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos)
    assert {info.external_attr >> 16 for info in infos} == {0o100644}
    assert zipped == files_of(bundle_dir)


def test_two_exports_of_the_same_inputs_are_byte_identical(
    reports: list[Path], bundle_zip: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.zip"
    assert export(reports, again).returncode == 0
    assert again.read_bytes() == bundle_zip.read_bytes()
    reordered = tmp_path / "reordered.zip"
    assert export(list(reversed(reports)), reordered).returncode == 0
    assert reordered.read_bytes() == bundle_zip.read_bytes()


def test_verify_passes_then_names_each_changed_added_and_removed_file(
    bundle_zip: Path, bundle_dir: Path, tmp_path: Path
) -> None:
    assert comply("evidence", "verify", bundle_zip).returncode == 0
    ok = comply("evidence", "verify", bundle_dir)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK" in ok.stdout

    tampered = tmp_path / "tampered"
    shutil.copytree(bundle_dir, tampered)
    (tampered / "findings.json").write_text("{}\n")
    (tampered / "evidence" / "raw" / "extra.json").write_text("{}\n")
    removed = next(p for p in sorted((tampered / "controls" / "hipaa").iterdir()))
    removed.unlink()
    result = comply("evidence", "verify", tampered)
    assert result.returncode == 1
    assert "changed: findings.json" in result.stdout
    assert "added: evidence/raw/extra.json" in result.stdout
    assert f"missing: controls/hipaa/{removed.name}" in result.stdout

    # The same in a zip: rewrite it with one file changed.
    changed_zip = tmp_path / "changed.zip"
    with zipfile.ZipFile(bundle_zip) as source, zipfile.ZipFile(changed_zip, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data + b" " if info.filename == "index.html" else data)
    result = comply("evidence", "verify", changed_zip)
    assert result.returncode == 1
    assert "changed: index.html" in result.stdout


def test_editing_the_manifest_and_its_entry_is_still_caught_by_sha256sums(
    bundle_dir: Path, tmp_path: Path
) -> None:
    tampered = tmp_path / "tampered"
    shutil.copytree(bundle_dir, tampered)
    (tampered / "coverage.csv").write_text("forged\n")
    manifest = json.loads((tampered / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == "coverage.csv":
            entry["sha256"] = hashlib.sha256(b"forged\n").hexdigest()
            entry["size"] = 7
    (tampered / "manifest.json").write_text(json.dumps(manifest))
    result = comply("evidence", "verify", tampered)
    assert result.returncode == 1
    assert "changed: manifest.json" in result.stdout


def test_html_is_escaped_and_self_contained(bundle_dir: Path) -> None:
    pages = [p for p in bundle_dir.rglob("*.html")]
    texts = [p.read_text(encoding="utf-8") for p in pages]
    joined = "\n".join(texts)
    assert "<script" not in joined
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in joined
    for text in texts:
        assert "http://" not in text.replace("http://www.w3.org", "")
        assert "src=" not in text
        assert "<link" not in text


def test_no_planted_secret_in_any_bundle_file(bundle_dir: Path, bundle_zip: Path) -> None:
    for path, data in files_of(bundle_dir).items():
        for secret in PLANTED_SECRETS:
            assert secret not in data, f"{secret!r} in {path}"
    for secret in PLANTED_SECRETS:
        assert secret not in bundle_zip.read_bytes()  # stored entries would show in the zip
    copied_notes = next((bundle_dir / "attestations" / "files").glob("log-review-notes*.md"))
    assert "<redacted>" in copied_notes.read_text()
    metadata = json.loads((bundle_dir / "run" / "metadata.json").read_text())
    assert any("aws access key" in rule for rule in metadata["redaction_rules"])


def test_attestations_waivers_and_metadata(bundle_dir: Path, reports: list[Path]) -> None:
    findings = json.loads((bundle_dir / "findings.json").read_text())
    controls = {c["id"]: c for c in findings["controls"]}
    # Its attestation names files/board-minutes.pdf, which does not exist: it does not count.
    assert controls["164.308(a)(1)(ii)(A)"]["status"] == "incomplete"
    assert controls["164.308(a)(1)(ii)(A)"]["attestation"]["current"] is False
    assert controls["164.312(b)"]["attestation"]["current"] is False
    page = (bundle_dir / controls["164.308(a)(1)(ii)(A)"]["page"]).read_text()
    assert "files/board-minutes.pdf" in page and "MISSING" in page
    assert "https://wiki.example.com/security/risk-analysis" in page
    assert "risk-analysis.txt" in page
    copied = list((bundle_dir / "attestations" / "files").iterdir())
    assert len(copied) == 2  # risk analysis and the log review notes; the PDF does not exist

    risk = (bundle_dir / "risk-acceptances.html").read_text()
    assert "SEC-1234" in risk and "ciso@example.com" in risk and "2099-12-31" in risk
    assert "aws_kms_key.reporting" in risk
    waived = [f for f in findings["findings"] if (f.get("suppression") or {}).get("by") == "waiver"]
    assert [f["resource"]["id"].rpartition(":")[2] for f in waived] == ["aws_kms_key.reporting"]

    metadata = json.loads((bundle_dir / "run" / "metadata.json").read_text())
    finished = max(json.loads(p.read_text())["scan"]["finished_at"] for p in reports)
    assert metadata["bundle"]["generated_at"] == finished
    assert {r["source"] for r in metadata["reports"]} == {"terraform", "kubernetes"}
    assert all(r["started_at"] and r["finished_at"] for r in metadata["reports"])
    assert len(metadata["policies"]["policies_sha256"]) == 64
    assert metadata["repositories"] and "commit" in metadata["repositories"][0]
    # Who and how: the operator, the effective configuration, the input reports themselves.
    operator = metadata["export"]["operator"]
    assert set(operator) == {"user", "host", "ci_run_url"} and operator["host"]
    assert "settings" in metadata["export"]["configuration"]
    # ... and who ran each input scan, as its report recorded it.
    scanned_by = {r["name"]: r["operator"] for r in metadata["reports"]}
    assert scanned_by["k8s.json"]["ci_run_url"] == CI_RUN_URL
    assert scanned_by["tf.json"]["ci_run_url"] is None and scanned_by["tf.json"]["host"]
    assert set(scanned_by["tf.json"]) == {"user", "host", "ci_run_url"}
    assert CI_RUN_URL in (bundle_dir / "index.html").read_text()
    carried = sorted(p.name for p in (bundle_dir / "inputs" / "reports").iterdir())
    assert carried == sorted(p.name for p in reports)
    tf = json.loads((bundle_dir / "inputs" / "reports" / "tf.json").read_text())
    assert tf["scan"] == json.loads(reports[0].read_text())["scan"]
    raw = next((bundle_dir / "evidence" / "raw" / "terraform").glob("*aws_kms_key.reporting*.json"))
    evidence = json.loads(raw.read_text())
    assert evidence["location"]["file"] and evidence["collected"]["finished_at"]
    assert evidence["raw"]["type"] == "aws_kms_key"


def test_resource_ids_cannot_escape_the_bundle(reports: list[Path], tmp_path: Path) -> None:
    document = json.loads(reports[1].read_text())
    hostile_ids = ["../../../escaped", "/etc/passwd", "a/b\\c", "CON", ".."]
    for rid in hostile_ids:
        document["resources"].append(
            {
                "id": rid,
                "type": "kubernetes_deployment",
                "source": "kubernetes",
                "raw": {},
                "location": {},
            }
        )
    crafted = tmp_path / "crafted.json"
    crafted.write_text(json.dumps(document))
    out = tmp_path / "nested" / "bundle"
    result = comply("evidence", "export", "--framework", "hipaa", crafted, "--out", out)
    assert result.returncode == 0, result.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(out in p.parents or p == crafted for p in written)
    raw = sorted(p.name for p in (out / "evidence" / "raw" / "kubernetes").iterdir())
    assert all("/" not in name and not name.startswith(".") for name in raw)
    assert len(raw) == len({r["id"] for r in document["resources"]})


def test_signing_round_trip_and_tamper_detection(reports: list[Path], tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = tmp_path / "key.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = tmp_path / "public.pem"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    out = tmp_path / "signed"
    assert export(reports, out, "--sign-key", private).returncode == 0
    assert (out / "manifest.sig").is_file()
    ok = comply("evidence", "verify", out, "--key", public)
    assert ok.returncode == 0 and "signature valid" in ok.stdout

    other = Ed25519PrivateKey.generate().public_key()
    wrong = tmp_path / "wrong.pem"
    wrong.write_bytes(
        other.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    assert comply("evidence", "verify", out, "--key", wrong).returncode == 1

    # Re-hash a forged file into the manifest and SHA256SUMS: only the signature catches it.
    (out / "index.html").write_text("forged")
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == "index.html":
            entry["sha256"], entry["size"] = hashlib.sha256(b"forged").hexdigest(), 6
    (out / "manifest.json").write_text(json.dumps(manifest))
    sums = {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in out.rglob("*")
        if p.is_file() and p.name not in ("SHA256SUMS", "manifest.sig")
    }
    (out / "SHA256SUMS").write_text("".join(f"{d}  {p}\n" for p, d in sorted(sums.items())))
    assert comply("evidence", "verify", out).returncode == 0  # consistent, but...
    forged = comply("evidence", "verify", out, "--key", public)
    assert forged.returncode == 1
    assert "does not match" in forged.stdout

    unsigned = tmp_path / "unsigned"
    assert export(reports, unsigned).returncode == 0
    result = comply("evidence", "verify", unsigned, "--key", public)
    assert result.returncode == 1 and "not signed" in result.stdout


def test_template_override_with_fallback(reports: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "custom"
    result = export(reports, out, "--templates", FIXTURES / "templates")
    assert result.returncode == 0, result.stderr
    control_page = next((out / "controls" / "hipaa").glob("*.html")).read_text()
    assert "CUSTOM CONTROL PAGE" in control_page
    assert "evidence bundle" in control_page  # the bundled base layout still wraps it
    assert "CUSTOM" not in (out / "index.html").read_text()  # bundled index
    assert "CUSTOM" not in next((out / "controls" / "hipaa").glob("*.md")).read_text()


def test_bad_inputs_fail_cleanly(tmp_path: Path, reports: list[Path]) -> None:
    not_report = tmp_path / "x.json"
    not_report.write_text('{"hello": 1}')
    result = comply(
        "evidence", "export", "--framework", "hipaa", not_report, "--out", tmp_path / "o"
    )
    assert result.returncode == 2 and "not a comply JSON report" in result.stderr
    result = comply(
        "evidence", "export", "--framework", "nope", reports[0], "--out", tmp_path / "o"
    )
    assert result.returncode == 2 and "unknown framework" in result.stderr
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("x")
    result = comply("evidence", "export", "--framework", "hipaa", reports[0], "--out", occupied)
    assert result.returncode == 2 and "not an empty directory" in result.stderr
    garbage = tmp_path / "garbage.zip"
    garbage.write_text("not a zip")
    assert comply("evidence", "verify", garbage).returncode == 2
    assert "Traceback" not in result.stderr


def test_the_effective_configuration_is_recorded_with_its_secrets_redacted(
    reports: list[Path], tmp_path: Path
) -> None:
    password, hook = "Sup3r-Config-Passw0rd", "abcdefghijklmnopqrstuvwx"
    work = tmp_path / "work"
    work.mkdir()
    (work / ".comply.yaml").write_text(
        f"store: postgresql://comply:{password}@db.internal/comply\n"
        f"notify:\n  - slack=https://hooks.slack.com/services/T0000/B0000/{hook}\n"
    )
    out = tmp_path / "bundle"
    result = subprocess.run(
        [sys.executable, "-m", "scanner", "evidence", "export", "--framework", "hipaa",
         reports[0], "--out", out],
        capture_output=True, text=True, cwd=work, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(REPO_ROOT / ".pytest_cache" / "home"),
             "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    metadata = json.loads((out / "run" / "metadata.json").read_text())
    settings = metadata["export"]["configuration"]["settings"]
    assert settings["store"] == "postgresql://<redacted>@db.internal/comply"
    assert settings["notify"] == ["slack=https://hooks.slack.com/services/<redacted>"]
    leaked = [
        p
        for p in out.rglob("*")
        if p.is_file() and (password.encode() in p.read_bytes() or hook.encode() in p.read_bytes())
    ]
    assert leaked == []
