"""The period bundle's OSCAL assessment-results, validated with compliance-trestle.

The stored story of test_period_export.py plus `crb.open`, failing on 11-04 and 11-06 (open at
the end of the period), a waiver of `crb.bad` in force on 11-02 and 11-03, a waiver that expired
before the period, and an open response to `crb.open` due 11-05 (overdue on 11-06).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanner.cli.common import load_policies
from scanner.evidence.oscal_mapping import control_token
from tests.evidence.test_oscal import validate
from tests.history.factories import F
from tests.history.test_period_export import CHECK, CONTROL, attestations_file, export, fill

WAIVERS = f"""\
waivers:
  - check: {CHECK}
    resource: crb.bad
    reason: Break-glass binding kept during the migration.
    approver: ciso@example.com
    ticket: RISK-7
    approved: 2026-11-02
    expires: 2026-11-03
    risk: medium
  - check: {CHECK}
    resource: crb.old
    reason: Expired before the period.
    approver: former-ciso@example.com
    ticket: RISK-1
    expires: 2026-10-01
"""
RESPONSES = f"""\
responses:
  - check: {CHECK}
    resource: crb.open
    owner: platform-lead@example.com
    due: 2026-11-05
    ticket: SEC-210
    status: open
"""
# Three responses, one per state on the period's last day (2026-11-06).
PERIOD_RESPONSES = """\
responses:
  - {check: k8s_rbac_cluster_admin_not_bound, resource: crb.bad, owner: owner-a@example.com,
     due: 2026-11-20, ticket: SEC-1, status: closed}
  - {check: k8s_rbac_cluster_admin_not_bound, resource: crb.ok, owner: owner-b@example.com,
     due: 2026-11-30, ticket: SEC-2, status: open}
  - {check: k8s_rbac_cluster_admin_not_bound, resource: crb.gone, owner: owner-c@example.com,
     due: 2026-11-05, ticket: SEC-3, status: open}
"""
OPEN = {3: [F(CHECK, "crb.open", "fail")], 5: [F(CHECK, "crb.open", "fail")]}


def inputs(folder: Path) -> tuple[str, ...]:
    (folder / "waivers.yaml").write_text(WAIVERS)
    (folder / "responses.yaml").write_text(RESPONSES)
    return (
        "--attestations", str(attestations_file(folder)),
        "--waivers", str(folder / "waivers.yaml"),
        "--responses", str(folder / "responses.yaml"),
    )  # fmt: skip


@pytest.fixture
def bundle(store_url: str, tmp_path: Path) -> Path:
    fill(store_url, OPEN)
    out = tmp_path / "period"
    result = export(store_url, out, *inputs(tmp_path))
    assert result.returncode == 0, result.stderr
    return out


def props(item: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in item.get("props", [])}


def test_period_oscal_validates_and_covers_runs_controls_exceptions_and_people(
    bundle: Path, store_url: str, tmp_path: Path
) -> None:
    raw = (bundle / "oscal" / "assessment-results.json").read_bytes()
    document = json.loads(raw)
    validate(document)  # trestle's pydantic models: the independent judge of OSCAL
    root = document["assessment-results"]
    [result] = root["results"]
    assert (result["start"], result["end"]) == ("2026-11-01T00:00:00Z", "2026-11-07T00:00:00Z")

    # assessment-log: one entry per run of the period, complete or not, with its operator.
    log = result["assessment-log"]["entries"]
    assert [e["title"] for e in log] == [f"run night-{n}" for n in (0, 1, 2, 3, 4, 5)]
    assert (log[0]["start"], log[0]["end"]) == ("2026-11-01T03:00:00Z", "2026-11-01T03:01:00Z")
    assert "incomplete" in log[4]["description"] and "end" not in log[4]
    assert props(log[0])["operator"] == "ci@runner-1"

    # The control over the period: not satisfied (it failed on 11-01, 11-04 and, crb.open, 11-06).
    token = control_token("hipaa", CONTROL)
    [finding] = [f for f in result["findings"] if f["target"]["target-id"] == token]
    assert finding["target"]["status"] == {
        "state": "not-satisfied",
        "reason": "fail",
        "remarks": "met (satisfied or attested) in 2 of 5 runs judged (2 attested); "
        "not satisfied in 3",
    }
    assert props(finding)["control-status"] == "not_satisfied"
    assert props(finding)["share-satisfied"] == "0.4"
    assert props(finding)["exceptions"] == "3"

    # Risks: one per exception; resolved ones closed, the open one by its (overdue) response.
    remediation = load_policies((), ())[0].checks[CHECK].remediation
    risks = {
        (props(r)["first-seen"], r["title"]): r for r in result["risks"] if CHECK in r["title"]
    }
    assert sorted(risks) == [
        ("2026-11-01T03:00:00Z", f"{CHECK} on crb.bad"),
        ("2026-11-03T03:00:00Z", f"{CHECK} on crb.bad"),
        ("2026-11-04T03:00:00Z", f"{CHECK} on crb.open"),
    ]
    opened = risks[("2026-11-04T03:00:00Z", f"{CHECK} on crb.open")]
    assert opened["status"] == "remediating"
    assert opened["deadline"] == "2026-11-05T00:00:00Z"
    assert props(opened)["response-state"] == "overdue"
    assert props(opened)["response-owner"] == "platform-lead@example.com"
    assert props(opened)["response-ticket"] == "SEC-210"
    assert all(r["remediations"][0]["description"] == remediation for r in risks.values())
    assert {r["status"] for key, r in risks.items() if "crb.bad" in key[1]} == {"closed"}

    # Parties: the tool, the waiver's approver (in force during the period), the response
    # owner; not the approver of the waiver that expired before the period.
    names = {p["name"] for p in root["metadata"]["parties"]}
    assert {"ciso@example.com", "platform-lead@example.com"} <= names
    assert "former-ciso@example.com" not in names
    # Inventory items (the population) and the control's subjects among them.
    items = result["local-definitions"]["inventory-items"]
    ids = {props(i)["asset-id"]: i["uuid"] for i in items}
    assert {"crb.bad", "crb.ok", "crb.open"} <= set(ids)
    observed = next(
        o for o in result["observations"] if o["uuid"] == finding["related-observations"][0][
            "observation-uuid"]
    )  # fmt: skip
    assert {s["subject-uuid"] for s in observed["subjects"]} >= {ids["crb.bad"], ids["crb.open"]}
    # The attestation that met two runs: an EXAMINE observation, judged on the last day (lapsed),
    # resting on the attestations file carried into the bundle (linked with its hash).
    related = {r["observation-uuid"] for r in finding["related-observations"]}
    [examined] = [
        o for o in result["observations"] if o["uuid"] in related and o["methods"] == ["EXAMINE"]
    ]
    assert {k: props(examined)[k] for k in ("attested-by", "attestation-date")} == {
        "attested-by": "security-lead@example.com",
        "attestation-date": "2026-11-02",
    }
    assert props(examined)["attestation-current"] == "false"  # expired on 11-04
    assert examined["expires"] == "2026-11-04T23:59:59Z"
    assert "expired on 2026-11-04" in examined["description"]
    assert examined["relevant-evidence"][0]["href"] == "../attestations/attestations.yaml"

    # The same in period/controls.json.
    controls = json.loads((bundle / "period" / "controls.json").read_text())
    assert [w["ticket"] for w in controls["risk_acceptances"]] == ["RISK-7"]
    assert controls["risk_acceptances"][0]["approved"] == "2026-11-02"
    assert [(r["ticket"], r["state"]) for r in controls["responses"]] == [("SEC-210", "overdue")]
    assert controls["responses_judged_on"] == "2026-11-06"
    assert controls["open_exceptions_without_response"] == 0
    assert controls["remediations"] == {CHECK: remediation}

    # Byte-reproducible.
    again = tmp_path / "again"
    assert export(store_url, again, *inputs(tmp_path)).returncode == 0
    assert (again / "oscal" / "assessment-results.json").read_bytes() == raw
