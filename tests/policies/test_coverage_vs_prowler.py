"""docs/coverage-vs-prowler.md stays true: every comply id it names as an equivalent exists, and
every row that says "no" gives a reason."""

from __future__ import annotations

from pathlib import Path

from scanner.core.registry import load_registry

DOC = Path(__file__).resolve().parents[2] / "docs" / "coverage-vs-prowler.md"
PROWLER_HIPAA_CHECKS = 95  # distinct checks in prowler/compliance/aws/hipaa_aws.json


def _rows() -> list[list[str]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 4 and cells[0] != "prowler check":
            rows.append(cells)
    return rows


def test_every_prowler_check_has_one_row() -> None:
    names = [row[0] for row in _rows()]
    assert len(names) == len(set(names)) == PROWLER_HIPAA_CHECKS


def test_equivalents_exist_and_gaps_have_reasons() -> None:
    registry = load_registry()
    for name, status, comply_ids, note in _rows():
        assert status in ("yes", "no", "planned (i14a)", "planned (i14b)"), name
        if status == "yes":
            ids = [i.strip() for i in comply_ids.split(",")]
            assert ids and all(registry.resolve(i) for i in ids), f"{name}: {comply_ids}"
        if status == "no":
            assert not comply_ids and len(note) > 20, f"{name}: give the reason"
