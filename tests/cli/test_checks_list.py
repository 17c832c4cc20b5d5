from __future__ import annotations

from scanner.compliance.catalog import load_catalog
from scanner.compliance.check_reference import render_check_reference
from scanner.core.registry import load_registry
from tests.conftest import REPO_ROOT


def test_checks_list_json_has_every_check(comply):
    result = comply("checks", "list", "-o", "json")
    assert result.exit_code == 0, result.stderr
    rows = result.json()["checks"]
    registry = load_registry()
    assert {row["id"] for row in rows} == set(registry.checks)
    assert len(rows) >= 30
    for row in rows:
        assert {c["framework"] for c in row["controls"]} == {"hipaa", "soc2"}


def test_checks_list_framework_filter(comply):
    rows = comply("checks", "list", "--framework", "soc2", "-o", "json").json()["checks"]
    assert rows
    assert all({c["framework"] for c in row["controls"]} == {"soc2"} for row in rows)


def test_checks_list_table(comply):
    result = comply("checks", "list")
    assert result.exit_code == 0
    assert "s3_bucket_encrypted_at_rest" in result.stdout
    assert "checks" in result.stdout.splitlines()[-1]


def test_check_reference_page_is_current():
    registry = load_registry()
    expected = render_check_reference(registry, load_catalog(registry))
    committed = (REPO_ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert committed == expected, "docs/checks.md is stale: run `make docs`"


def test_control_reference_pages_are_current():
    from scanner.compliance.control_reference import render_all

    registry = load_registry()
    pages = render_all(registry, load_catalog(registry))
    for name, text in pages.items():
        committed = (REPO_ROOT / "docs" / "controls" / name).read_text(encoding="utf-8")
        assert committed == text, f"docs/controls/{name} is stale: run `make docs`"
