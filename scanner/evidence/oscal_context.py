"""OSCAL parts that describe who and what: parties, inventory items (the population), the
assessment log (each input scan) and risks (failing findings with remediation and response).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.evidence.model import BundleModel, FindingRecord
from scanner.evidence.oscal_fields import one_line, oscal_prop, oscal_timestamp, user_text
from scanner.evidence.oscal_mapping import OscalIds

# OSCAL risk status by the state of management's response (responses.yaml).
_RISK_STATUS = {"closed": "closed", "open": "remediating", "overdue": "remediating"}


SYSTEM_OWNER_ROLE = "system-owner"
SUBSERVICE_ROLE = "subservice-organization"
_ROLE_TITLES = {
    SYSTEM_OWNER_ROLE: "Owner of the system the evidence is about",
    SUBSERVICE_ROLE: "Subservice organization (system: subservice_organizations)",
}


def _subservice_parties(model: BundleModel, ids: OscalIds) -> list[dict[str, Any]]:
    names = model.system.subservice_organizations if model.system else ()
    return [
        {"uuid": ids("party", "subservice", name), "type": "organization", "name": one_line(name)}
        for name in names
    ]


def roles_and_responsible_parties(model: BundleModel, ids: OscalIds) -> dict[str, Any]:
    """OSCAL metadata `roles` and `responsible-parties`: the system's owner and each subservice
    organisation of `system:` in its role; nothing without a system description."""
    if model.system is None:
        return {}
    members = {
        SYSTEM_OWNER_ROLE: [ids("party", "system", model.system.name)],
        SUBSERVICE_ROLE: [p["uuid"] for p in _subservice_parties(model, ids)],
    }
    used = [role for role, uuids in members.items() if uuids]
    return {
        "roles": [{"id": role, "title": _ROLE_TITLES[role]} for role in used],
        "responsible-parties": [{"role-id": role, "party-uuids": members[role]} for role in used],
    }


def parties(model: BundleModel, ids: OscalIds) -> list[dict[str, Any]]:
    out = [
        {
            "uuid": ids("party", "tool"),
            "type": "organization",
            "name": one_line(f"{model.tool_name} {model.tool_version} (automated assessment)"),
        }
    ]
    if model.system is not None:
        out.append(
            {
                "uuid": ids("party", "system", model.system.name),
                "type": "organization",
                "name": one_line(f"Owner of {model.system.name}"),
            }
        )
        out += _subservice_parties(model, ids)
    owners = sorted({r.owner for r in model.responses} | {w.approver for w in model.waivers})
    out += [
        {"uuid": ids("party", "person", owner), "type": "person", "name": one_line(owner)}
        for owner in owners
        if owner
    ]
    return out


def inventory_items(model: BundleModel, ids: OscalIds) -> list[dict[str, Any]]:
    items = []
    for resource in model.population:
        location = resource.location
        props = [
            oscal_prop("asset-type", resource.type or "unknown"),
            oscal_prop("asset-id", resource.id or "unknown"),
            oscal_prop("source", resource.source or "unknown", cls="comply"),
        ]
        if location.get("file"):
            props.append(oscal_prop("location", location["file"], cls="file"))
        items.append(
            {
                "uuid": inventory_uuid(ids, resource.report, resource.source, resource.id),
                "description": user_text(f"{resource.type} {resource.id} ({resource.source})"),
                "props": props,
            }
        )
    return items


def inventory_uuid(ids: OscalIds, report: str, source: str, rid: str) -> str:
    return ids("inventory-item", report, source, rid)


def assessment_log(model: BundleModel, ids: OscalIds) -> dict[str, Any] | None:
    entries = [
        {
            "uuid": ids("log-entry", r.name),
            "title": one_line(f"scan {r.name}"),
            "description": user_text(
                f"comply scan {r.source} of {', '.join(r.targets) or 'no target'}"
                f" (report sha256 {r.sha256})"
            ),
            "start": oscal_timestamp(r.started_at or r.finished_at),
            "end": oscal_timestamp(r.finished_at),
            **_operator_props(r.operator),
        }
        for r in model.reports
        if r.finished_at
    ]
    return {"entries": entries} if entries else None


def _operator_props(operator: Mapping[str, Any] | None) -> dict[str, Any]:
    """Who ran a scan (when its report says), as log-entry props: operator (user@host) and
    ci-run-url."""
    operator = operator or {}
    who = "@".join(str(operator[k]) for k in ("user", "host") if operator.get(k))
    props = [oscal_prop("operator", who)] if who else []
    if operator.get("ci_run_url"):
        props.append(oscal_prop("ci-run-url", operator["ci_run_url"]))
    return {"props": props} if props else {}


def _response_state(model: BundleModel, finding: FindingRecord) -> str | None:
    states = [r.state for r in model.responses if finding in r.covered]
    return states[0] if states else None


def risks(model: BundleModel, ids: OscalIds) -> list[dict[str, Any]]:
    out = []
    for finding in model.findings:
        if finding.status != "fail":
            continue
        remediation = model.remediations.get(finding.check_id, "")
        state = _response_state(model, finding)
        risk: dict[str, Any] = {
            "uuid": ids("risk", finding.uuid),
            "title": one_line(f"{finding.check_id} on {finding.resource_id}"),
            "description": user_text(finding.message or finding.title),
            "statement": user_text(
                f"{finding.title} (severity {finding.severity}) fails on {finding.resource_id}."
            ),
            "status": _RISK_STATUS.get(state or "", "open"),
            "props": [oscal_prop("severity", finding.severity or "unknown")],
        }
        if remediation:
            risk["remediations"] = [
                {
                    "uuid": ids("remediation", finding.uuid),
                    "lifecycle": "recommendation",
                    "title": one_line(f"Remediate {finding.check_id}"),
                    "description": user_text(remediation),
                }
            ]
        out.append(risk)
    return out
