"""AWS Backup coverage on Terraform: a root module that declares no backup selection is not
judged (no finding, one warning naming the check); a root that does is judged against its own
selections only, never against another root's."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_comply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "backup_not_judged"
CHECK = "backup_data_store_in_backup_plan"


def _scan(tmp_path: Path, target: Path) -> dict:
    out = tmp_path / "report.json"
    result = run_comply(
        "scan", "terraform", str(target), "--check", CHECK, "-o", f"json={out}", "--no-cache"
    )
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(out.read_text())


def test_a_root_without_backup_selection_is_not_judged_and_says_so(tmp_path: Path) -> None:
    report = _scan(tmp_path, FIXTURES / "stores_only")
    assert [f for f in report["findings"] if f["check_id"] == CHECK] == []
    warnings = [w for w in report["warnings"] if w["target"] == CHECK]
    assert len(warnings) == 1
    assert warnings[0]["message"].startswith("2 resources not judged: the configuration declares")


def test_each_root_is_judged_against_its_own_selections(tmp_path: Path) -> None:
    report = _scan(tmp_path, FIXTURES)
    verdicts = {
        f["resource"]["id"].rpartition("/")[2]: f["status"]
        for f in report["findings"]
        if f["check_id"] == CHECK
    }
    assert verdicts == {
        "with_selection:aws_db_instance.covered": "pass",
        "with_selection:aws_db_instance.left_out": "fail",
    }
    warnings = [w["message"] for w in report["warnings"] if w["target"] == CHECK]
    assert len(warnings) == 1 and warnings[0].startswith("2 resources not judged")
