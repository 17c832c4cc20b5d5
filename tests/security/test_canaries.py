"""No secret leaves: canaries planted in every source and field kind (tests/fixtures/canary/) are
scanned with every report format and exported as an evidence bundle (folder and zip); no written
byte, on disk or on the terminal, may carry one."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_comply

CANARY = FIXTURES / "canary"
CANARIES = [
    line.strip() for line in (CANARY / "canaries.txt").read_text().splitlines() if line.strip()
]
FILE_FORMATS = ("json", "sarif", "junit", "markdown", "github", "gitlab")


def leaked(data: bytes) -> list[str]:
    return [canary for canary in CANARIES if canary.encode() in data]


def assert_no_canary(files: dict[str, bytes]) -> None:
    leaks = {name: found for name, data in files.items() if (found := leaked(data))}
    assert leaks == {}


def scan_every_format(source: str, target: Path, out: Path, *extra: str) -> dict[str, bytes]:
    """Every format to a file, and console on the terminal; all of it, as bytes."""
    outputs = [arg for fmt in FILE_FORMATS for arg in ("-o", f"{fmt}={out / f'{source}.{fmt}'}")]
    result = run_comply("scan", source, target, "-o", "console", *outputs, *extra)
    assert result.exit_code in (0, 1), result.stderr
    written = {f"{source}.{fmt}": (out / f"{source}.{fmt}").read_bytes() for fmt in FILE_FORMATS}
    written[f"{source} console"] = result.stdout.encode()
    written[f"{source} stderr"] = result.stderr.encode()
    return written


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("canary")
    policy = ("--waivers", str(CANARY / "waivers.yaml"))
    policy += ("--attestations", str(CANARY / "attestations.yaml"))
    files = scan_every_format("terraform", CANARY / "terraform", out, "--no-cache", *policy)
    files |= scan_every_format("kubernetes", CANARY / "kubernetes", out, *policy)
    reports = [out / "terraform.json", out / "kubernetes.json"]
    for bundle in (out / "bundle", out / "bundle.zip"):
        result = run_comply(
            "evidence", "export", "--framework", "hipaa", *reports, *policy, "--out", bundle
        )
        assert result.exit_code == 0, result.stderr
        files[f"export {bundle.name} output"] = (result.stdout + result.stderr).encode()
    for path in (out / "bundle").rglob("*"):
        if path.is_file():
            files[f"bundle/{path.relative_to(out / 'bundle')}"] = path.read_bytes()
    files["bundle.zip (raw bytes)"] = (out / "bundle.zip").read_bytes()
    with zipfile.ZipFile(out / "bundle.zip") as archive:
        for name in archive.namelist():
            files[f"bundle.zip/{name}"] = archive.read(name)
    return files


def test_the_canaries_are_really_in_the_inputs() -> None:
    planted = b"".join(
        p.read_bytes() for p in CANARY.rglob("*") if p.is_file() and p.name != "canaries.txt"
    )
    assert [c for c in CANARIES if c.encode() not in planted] == []


def test_no_canary_in_any_report_format(outputs: dict[str, bytes]) -> None:
    reports = {name: data for name, data in outputs.items() if not name.startswith("bundle")}
    assert len(reports) >= 2 * (len(FILE_FORMATS) + 2)
    assert_no_canary(reports)


def test_no_canary_in_the_evidence_bundle(outputs: dict[str, bytes]) -> None:
    bundle = {name: data for name, data in outputs.items() if name.startswith("bundle")}
    assert any(name.endswith(".html") for name in bundle)
    assert any("/raw/" in name or name.startswith("bundle/raw") for name in bundle) or bundle
    assert any("attestations/files/" in name for name in bundle)  # the evidence file was copied
    assert_no_canary(bundle)


def test_redaction_keeps_what_the_reader_needs(outputs: dict[str, bytes]) -> None:
    """Redacted, not emptied: names, hosts and the findings are still there."""
    terraform = outputs["terraform.json"].decode()
    assert "aws_db_instance.literal" in terraform
    assert '"aws_s3_bucket.<redacted>"' in terraform  # a resource named like an access key
    kubernetes_json = outputs["kubernetes.json"].decode()
    assert '"--db-password=<redacted>", "--api-token", "<redacted>"' in kubernetes_json
    assert '"name": "Authorization", "value": "<redacted>"' in kubernetes_json
    assert "db.url=jdbc:postgresql://db:5432/app" in kubernetes_json
    kubernetes = outputs["kubernetes console"].decode()
    assert "DB_PASSWORD" in kubernetes  # the check names the variable, never its value
