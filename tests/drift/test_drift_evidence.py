"""The evidence bundle's change-management page (CC8.1) from a `comply drift` report: counts,
drifted attributes with declared and live values and whether a verdict changed, unmanaged and
deleted resources, each row linking raw evidence of both sides; listed in the manifest,
byte-reproducible, autoescaped. Offline (the fixture snapshot), through the command line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner.cli.main import cli
from scanner.evidence.pdf_report import chromium_path

STATES = Path(__file__).resolve().parents[1] / "fixtures" / "drift_states"
DRIFT = ["drift", "--state", str(STATES / "moto.tfstate"), "--snapshot",
         str(STATES / "moto-snapshot.json.gz")]  # fmt: skip
PAGE = "change-management.html"


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _export(report: Path, out: Path, framework: str = "soc2") -> Path:
    result = _invoke("evidence", "export", "--framework", framework, str(report), "--no-pdf",
                     "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("drift-evidence") / "drift.json"
    result = _invoke(*DRIFT, "-o", f"json={path}")
    assert result.exit_code == 1, result.output  # the fixture drifted on purpose
    return path


class _Tables(HTMLParser):
    """The text of every cell of every table with an id, row by row; and every href."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.hrefs: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "br" and self._cell is not None:
            self._cell.append(" ")
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if tag == "table" and found.get("id"):
            self._table = str(found["id"])
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag == "td" and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._table and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _parse(path: Path) -> _Tables:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_change_management_page_content(report: Path, tmp_path: Path) -> None:
    bundle = _export(report, tmp_path / "bundle")
    page = bundle / PAGE
    text = page.read_text(encoding="utf-8")
    cards = re.findall(r'<div class="card"><b>(\d+)</b>([^<]+)</div>', text)
    assert cards == [
        ("7", "managed, joined live"),
        ("3", "drifted"),
        ("3", "drift changes a verdict"),
        ("1", "deleted out of band"),
        ("2", "unmanaged"),
    ]
    parsed = _parse(page)
    runs = [row for row in parsed.tables["drift-runs"] if row]
    assert len(runs) == 1
    assert runs[0][0] == "drift.json" and "moto.tfstate" in runs[0][1]
    assert runs[0][3:10] == ["8", "7", "3", "3", "1", "0", "2"]

    # One row per drifted attribute; the first row of each resource names it and its verdict.
    drifted = [row for row in parsed.tables["drifted-attributes"] if row]
    resources = [row[0].split(" ")[0] for row in drifted]
    assert resources == ["aws_s3_bucket.logs", "aws_s3_bucket.phi", "aws_security_group.web"]
    assert [row[1] for row in drifted] == ["versioning", "server_side_encryption", "ingress"]
    phi = drifted[1]
    assert json.loads(phi[2])["sse_algorithm"] == "aws:kms" and phi[3] == "null"
    assert "yes" in phi[4] and "s3_bucket_encrypted_at_rest" in phi[4]
    assert "fail drift_resource_verdicts_match_configuration" in phi[0]
    web = drifted[2]
    assert len(json.loads(web[3])) == 2 and len(json.loads(web[2])) == 1  # the SSH rule added
    assert "ec2_security_group_ssh_not_open_to_internet" in web[4]

    unmanaged = [row[0] for row in parsed.tables["unmanaged-resources"] if row]
    assert unmanaged[0].startswith("arn:aws:ec2:us-east-1:123456789012:security-group/sg-")
    assert unmanaged[1] == "arn:aws:s3:::clickops-uploads"
    deleted = [row for row in parsed.tables["deleted-resources"] if row]
    assert [row[0] for row in deleted] == ["aws_db_instance.main"]
    assert "fail drift_managed_resource_present_live" in deleted[0][4]

    # Raw evidence of both sides: every link resolves inside the bundle; the drifted bucket's
    # comparison (declared side) and its live API data are both there.
    for href in parsed.hrefs:
        assert (page.parent / href).resolve().is_file(), href
    evidence = [h for h in parsed.hrefs if h.startswith("evidence/raw/")]
    comparison = json.loads((bundle / "evidence/raw/drift/aws_s3_bucket.phi.json").read_text())
    assert comparison["raw"]["drifted"][0]["attribute"] == "server_side_encryption"
    assert "evidence/raw/drift/aws_s3_bucket.phi.json" in evidence
    live = [h for h in evidence if h.startswith("evidence/raw/aws/arn-aws-s3-drift-phi")]
    assert len(live) == 1
    assert json.loads((bundle / live[0]).read_text())["raw"]["Name"] == "drift-phi"

    # Listed in the manifest; linked from the index and from CC8.1's page.
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert PAGE in {entry["path"] for entry in manifest["files"]}
    assert f'href="{PAGE}"' in (bundle / "index.html").read_text()
    (cc81,) = (bundle / "controls" / "soc2").glob("cc8.1--*.html")
    assert f'href="../../{PAGE}"' in cc81.read_text()
    assert "CC8.1" in text
    markdown = (bundle / "change-management.md").read_text(encoding="utf-8")
    rows = [line for line in markdown.splitlines() if line.startswith("| aws_")]
    assert [row.split(" | ")[:2] for row in rows] == [
        ["| aws_s3_bucket.logs", "versioning"],
        ["| aws_s3_bucket.phi", "server_side_encryption"],
        ["| aws_security_group.web", "ingress"],
        ["| aws_db_instance.main", "aws_db_instance"],  # the deleted one
    ]
    assert "change-management.md" in (bundle / "index.md").read_text()


def test_change_management_page_is_byte_reproducible_and_only_with_drift(
    report: Path, tmp_path: Path
) -> None:
    first = _export(report, tmp_path / "one")
    second = _export(report, tmp_path / "two")
    for name in (PAGE, "change-management.md"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert (first / "manifest.json").read_bytes() == (second / "manifest.json").read_bytes()
    # HIPAA: the same page, for 164.312(c)(1).
    hipaa = _export(report, tmp_path / "hipaa", framework="hipaa")
    assert "164.312(c)(1)" in (hipaa / PAGE).read_text()
    # A report of another command: no page, no link.
    other = json.loads(report.read_text())
    other["scan"]["source"] = "aws"
    other_path = tmp_path / "aws.json"
    other_path.write_text(json.dumps(other))
    plain = _export(other_path, tmp_path / "plain")
    assert not (plain / PAGE).exists()
    assert PAGE not in (plain / "index.html").read_text()


def test_change_management_page_escapes_what_it_shows(report: Path, tmp_path: Path) -> None:
    hostile = '<img src=x onerror="alert(1)">'
    document = json.loads(report.read_text())
    for resource in document["resources"]:
        if resource["id"] == "aws_s3_bucket.phi":
            resource["raw"]["drifted"][0]["declared"] = {"sse_algorithm": hostile}
            resource["raw"]["drifted"][0]["attribute"] = f"attr{hostile}"
            resource["raw"]["worsened_checks"] = [f"check{hostile}"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document))
    bundle = _export(edited, tmp_path / "bundle")
    page = (bundle / PAGE).read_text()
    assert "<img" not in page
    assert "&lt;img src=x onerror=" in page
    markdown = (bundle / "change-management.md").read_text()
    assert "<img" not in markdown and "&lt;img" in markdown


@pytest.mark.skipif(
    shutil.which("pdftotext") is None or not chromium_path().is_file(),
    reason="needs poppler-utils and Debian's chromium",
)
def test_report_pdf_has_a_change_management_page(report: Path, tmp_path: Path) -> None:
    pytest.importorskip("playwright.sync_api")
    out = tmp_path / "bundle"
    result = _invoke("evidence", "export", "--framework", "soc2", str(report), "--pdf",
                     "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", str(out / "report.pdf"), "-"],  # reading order: cells stay whole
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    page = text[text.index("Drifted attributes") :]  # the page after the control pages
    squeezed = re.sub(r"[\s-]", "", page)  # table cells wrap long names across lines
    for expected in (
        "aws_s3_bucket.phi",
        "server_side_encryption",
        "s3_bucket_encrypted_at_rest",
        "aws_security_group.web",
        "Unmanaged resources",
        "Deleted out of band",
    ):
        assert re.sub(r"[\s-]", "", expected) in squeezed, expected
