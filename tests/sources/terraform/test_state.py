"""The Terraform state source: raw state (v4) and `terraform show -json`, hand-written fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.core.model import is_unknown
from scanner.core.redaction import redact
from scanner.sources.terraform.state import load_terraform_state

STATES = Path(__file__).resolve().parents[2] / "fixtures" / "drift_states"
CANARIES = ("CANARY-db-password-9f8e7d", "CANARYKEYMATERIAL0123456789abcdef")


def test_raw_state_addresses_modules_count_and_for_each() -> None:
    loaded = load_terraform_state([STATES / "terraform.tfstate"])
    assert loaded.errors == []
    assert [m.address for m in loaded.managed] == [
        "aws_s3_bucket.phi",
        "aws_db_instance.main",
        'module.store["eu"].aws_s3_bucket.archive[0]',
        'module.store["eu"].aws_s3_bucket.archive[1]',
        'tls_private_key.deploy["ci"]',
    ]  # the data source is not managed; the companion folded into its bucket
    phi = loaded.managed[0].resource
    assert phi.attributes["server_side_encryption"]["sse_algorithm"] == "aws:kms"
    assert loaded.managed[0].identity["arn"] == "arn:aws:s3:::drift-phi"
    assert loaded.documents[0]["kind"] == "tfstate"


def test_show_json_state_reads_child_modules() -> None:
    loaded = load_terraform_state([STATES / "show.json"])
    assert loaded.errors == []
    assert sorted(m.address for m in loaded.managed) == [
        "aws_db_instance.main",
        "aws_s3_bucket.phi",
        'module.store["eu"].aws_s3_bucket.archive[0]',
    ]
    assert loaded.documents[0]["kind"] == "show-json"


def test_sensitive_attributes_never_leave_the_state() -> None:
    loaded = load_terraform_state([STATES / "terraform.tfstate", STATES / "show.json"])
    by_address = {(m.state_file, m.address): m.resource for m in loaded.managed}
    db = by_address[("tests/fixtures/drift_states/terraform.tfstate", "aws_db_instance.main")]
    assert is_unknown(db.attributes["password"])
    text = json.dumps(
        [redact(m.resource.attributes) for m in loaded.managed]
        + [m.identity for m in loaded.managed],
        default=str,
    )
    for canary in CANARIES:
        assert canary not in text
    assert all(m.resource.raw is None for m in loaded.managed)


def test_other_version_and_corrupt_state_are_errors_naming_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.tfstate"
    empty.write_text("[]")
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": "1.2", "planned_values": {}}')
    loaded = load_terraform_state(
        [STATES / "v3.tfstate", STATES / "corrupt.tfstate", empty, plan, STATES / "show.json"]
    )
    messages = {Path(e.target).name: e.message for e in loaded.errors}
    assert "state format version 3 is not supported" in messages["v3.tfstate"]
    assert "invalid JSON" in messages["corrupt.tfstate"]
    assert "not a JSON object" in messages["empty.tfstate"]
    assert "plan, not a state" in messages["plan.json"]
    assert len(loaded.managed) == 3  # the good file is still read


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    loaded = load_terraform_state([tmp_path / "absent.tfstate"])
    assert len(loaded.errors) == 1 and "absent.tfstate" in loaded.errors[0].target
