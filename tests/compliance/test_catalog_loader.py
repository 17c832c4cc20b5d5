"""Catalog loading: custom framework folders and the errors that protect a report."""

from __future__ import annotations

import pytest

from scanner.compliance.catalog import CatalogError, Scope, load_catalog
from scanner.core.registry import load_registry
from tests.conftest import FIXTURES

CONTROLS = FIXTURES / "controls"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_custom_framework_folder_is_loaded_beside_the_builtin_ones(registry):
    catalog = load_catalog(registry, extra_folders=[CONTROLS / "custom_framework"])
    assert {"hipaa", "soc2", "acme"} <= set(catalog.frameworks)
    mapping = catalog.controls_by_check(Scope(frameworks=("acme",)))
    assert [ref.id for ref in mapping["kms_key_rotation_enabled"]] == ["ACME-ENC-1"]


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        ("duplicate", "duplicate control id X-1"),
        ("bad_standard", "standard 'X-1' is not in the catalog"),
        ("bad_related", r"related control soc2:CC99\.9 not found"),
        ("clash", "framework 'hipaa' is already defined"),
    ],
)
def test_broken_framework_files_are_errors(registry, folder, message):
    with pytest.raises(CatalogError, match=message):
        load_catalog(registry, extra_folders=[CONTROLS / "broken_frameworks" / folder])


def test_scope_by_category_keeps_frameworks_without_categories(registry):
    catalog = load_catalog(registry)
    scoped = catalog.controls(Scope(categories=("availability",)))
    soc2 = {c.category for c in scoped if c.framework == "soc2"}
    assert soc2 == {"availability"}
    assert any(c.framework == "hipaa" for c in scoped)
    with pytest.raises(CatalogError, match="unknown category"):
        catalog.validate_scope(Scope(categories=("vibes",)))
