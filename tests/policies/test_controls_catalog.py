"""Catalog validation: broken framework files are refused with a message naming the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.compliance.catalog import CatalogError, load_catalog
from scanner.core.registry import load_registry

ALL_BUILTIN_IDS = sorted(spec.id for spec in load_registry())


def _write(folder: Path, name: str, framework_id: str, controls: str) -> None:
    (folder / name).write_text(
        f"framework: {{id: {framework_id}, name: Test framework, version: '1'}}\n"
        f"controls:\n{controls}",
        encoding="utf-8",
    )


def _control(control_id: str, checks: list[str]) -> str:
    listed = "".join(f"      - {c}\n" for c in checks) or "      []\n"
    return (
        f'  - id: "{control_id}"\n'
        "    title: A control\n"
        "    requirement: Something must hold.\n"
        "    automation: partial\n"
        f"    checks:\n{listed}"
    )


def test_unknown_check_id_is_an_error(tmp_path: Path) -> None:
    _write(
        tmp_path, "test.yaml", "test", _control("T1", [*ALL_BUILTIN_IDS, "no_such_check_exists"])
    )
    with pytest.raises(CatalogError, match="unknown check id 'no_such_check_exists'"):
        load_catalog(load_registry(), tmp_path)


def test_duplicate_control_id_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "test.yaml", "test", _control("T1", ALL_BUILTIN_IDS) + _control("T1", []))
    with pytest.raises(CatalogError, match="duplicate control id T1"):
        load_catalog(load_registry(), tmp_path)


def test_unmapped_builtin_check_is_an_error(tmp_path: Path) -> None:
    left_out = ALL_BUILTIN_IDS[0]
    _write(tmp_path, "test.yaml", "test", _control("T1", ALL_BUILTIN_IDS[1:]))
    with pytest.raises(CatalogError, match=f"mapped to no control: {left_out}"):
        load_catalog(load_registry(), tmp_path)


def test_complete_mapping_loads(tmp_path: Path) -> None:
    _write(tmp_path, "test.yaml", "test", _control("T1", ALL_BUILTIN_IDS))
    catalog = load_catalog(load_registry(), tmp_path)
    assert [c.id for c in catalog.frameworks["test"].controls] == ["T1"]


def test_user_checks_need_no_mapping(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "custom.py").write_text(
        "from scanner.core.model import Result\n"
        "from scanner.core.registry import check\n\n"
        "@check(id='custom_thing_ok', title='t', severity='low',\n"
        "       resource_types=['aws_s3_bucket'])\n"
        "def custom_thing_ok(resource):\n"
        "    '''Why.\n\n    Remediation: fix.'''\n"
        "    return Result.passed('ok')\n",
        encoding="utf-8",
    )
    catalogs = tmp_path / "controls"
    catalogs.mkdir()
    _write(catalogs, "test.yaml", "test", _control("T1", ALL_BUILTIN_IDS))
    assert load_catalog(load_registry([policies]), catalogs).frameworks["test"]


def test_builtin_catalogs_load() -> None:
    catalog = load_catalog(load_registry())
    assert catalog.frameworks["hipaa"].name == "HIPAA Security Rule"
    assert catalog.frameworks["soc2"].controls
