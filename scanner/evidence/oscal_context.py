"""OSCAL parts that describe who and what: parties, inventory items (the population), the
assessment log (each input scan) and risks (failing findings with remediation and response).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from scanner.evidence.model import BundleModel, FindingRecord
from scanner.evidence.oscal_fields import one_line, oscal_prop, oscal_timestamp, user_text
from scanner.evidence.oscal_mapping import STATE_MAP, OscalIds
from scanner.evidence.system import SystemDescription

# OSCAL risk status by the state of management's response (responses.yaml).
_RISK_STATUS = {"closed": "closed", "open": "remediating", "overdue": "remediating"}


class _Owner(Protocol):
    @property
    def owner(self) -> str: ...


class _Approver(Protocol):
    @property
    def approver(self) -> str: ...


class _Resource(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def location(self) -> Mapping[str, Any]: ...
    @property
    def report(self) -> str: ...


class Assessed(Protocol):
    """What the who-and-what parts read: a point-in-time bundle or a period."""

    @property
    def tool_name(self) -> str: ...
    @property
    def tool_version(self) -> str: ...
    @property
    def system(self) -> SystemDescription | None: ...
    @property
    def responses(self) -> Sequence[_Owner]: ...
    @property
    def waivers(self) -> Sequence[_Approver]: ...
    @property
    def population(self) -> Sequence[_Resource]: ...


SYSTEM_OWNER_ROLE = "system-owner"
SUBSERVICE_ROLE = "subservice-organization"
_ROLE_TITLES = {
    SYSTEM_OWNER_ROLE: "Owner of the system the evidence is about",
    SUBSERVICE_ROLE: "Subservice organization (system: subservice_organizations)",
}


def _subservice_parties(model: Assessed, ids: OscalIds) -> list[dict[str, Any]]:
    names = model.system.subservice_organizations if model.system else ()
    return [
        {"uuid": ids("party", "subservice", name), "type": "organization", "name": one_line(name)}
        for name in names
    ]


def roles_and_responsible_parties(model: Assessed, ids: OscalIds) -> dict[str, Any]:
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


def parties(model: Assessed, ids: OscalIds) -> list[dict[str, Any]]:
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


def inventory_items(model: Assessed, ids: OscalIds) -> list[dict[str, Any]]:
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
            **operator_props(r.operator),
        }
        for r in model.reports
        if r.finished_at
    ]
    return {"entries": entries} if entries else None


def operator_props(operator: Mapping[str, Any] | None) -> dict[str, Any]:
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


def risk_entry(
    ids: OscalIds,
    key: str,
    *,
    title: str,
    description: str,
    statement: str,
    status: str,
    severity: str,
    remediation: str,
    check_id: str,
) -> dict[str, Any]:
    """One OSCAL risk; `key` names it (its uuid and its remediation's derive from it)."""
    risk: dict[str, Any] = {
        "uuid": ids("risk", key),
        "title": one_line(title),
        "description": user_text(description),
        "statement": user_text(statement),
        "status": status,
        "props": [oscal_prop("severity", severity or "unknown")],
    }
    if remediation:
        risk["remediations"] = [
            {
                "uuid": ids("remediation", key),
                "lifecycle": "recommendation",
                "title": one_line(f"Remediate {check_id}"),
                "description": user_text(remediation),
            }
        ]
    return risk


def risk_status(response_state: str | None) -> str:
    """OSCAL risk status of an open exception by the state of management's response."""
    return _RISK_STATUS.get(response_state or "", "open")


def risks(model: BundleModel, ids: OscalIds) -> list[dict[str, Any]]:
    return [
        risk_entry(
            ids,
            finding.uuid,
            title=f"{finding.check_id} on {finding.resource_id}",
            description=finding.message or finding.title,
            statement=(
                f"{finding.title} (severity {finding.severity}) fails on {finding.resource_id}."
            ),
            status=risk_status(_response_state(model, finding)),
            severity=finding.severity,
            remediation=model.remediations.get(finding.check_id, ""),
            check_id=finding.check_id,
        )
        for finding in model.findings
        if finding.status == "fail"
    ]


def assessment_document(
    model: Assessed,
    ids: OscalIds,
    *,
    metadata: dict[str, Any],
    plan: dict[str, Any],
    plan_remark: str,
    result: dict[str, Any],
    back_matter: list[dict[str, Any]],
) -> dict[str, Any]:
    """The assessment-results document around one result: metadata with roles, parties and
    responsible parties; import-ap pointing at the plan described in back-matter."""
    who = roles_and_responsible_parties(model, ids)
    if who:
        metadata["roles"] = who["roles"]
    metadata["parties"] = parties(model, ids)
    if who:
        metadata["responsible-parties"] = who["responsible-parties"]
    return {
        "assessment-results": {
            "uuid": ids("assessment-results"),
            "metadata": metadata,
            "import-ap": {
                "href": f"#{plan['uuid']}",
                "remarks": (
                    "No separate OSCAL assessment plan exists: this fragment points at the "
                    f"back-matter resource that describes the plan ({plan_remark})."
                ),
            },
            "results": [result],
            "back-matter": {"resources": [plan, *back_matter]},
        }
    }


def control_finding(
    ids: OscalIds,
    control: tuple[str, str, str, str],
    token: str,
    judged: tuple[str, str],
    *,
    description: str,
    extra_props: Sequence[dict[str, Any]] = (),
    links: Sequence[dict[str, Any]] = (),
    related: Sequence[str] = (),
) -> dict[str, Any]:
    """One OSCAL finding for a control: `control` is (framework, id, title, automation),
    `judged` (comply status, why); the OSCAL state follows STATE_MAP."""
    framework, control_id, title, automation = control
    status, why = judged
    state, reason = STATE_MAP.get(status, ("not-satisfied", "other"))
    props = [
        oscal_prop("control-id", control_id),
        oscal_prop("framework", framework),
        oscal_prop("control-status", status),
        oscal_prop("automation", automation),
    ]
    if status == "attested":
        props.append(oscal_prop("attested", "true"))
    if state == "not-satisfied" and reason == "other":
        props.append(oscal_prop("not-satisfied-reason", why))
    target = {
        "type": "objective-id",
        "target-id": token,
        "title": one_line(f"{control_id} {title}"),
        "props": [oscal_prop("control-id", control_id)],
        "status": {"state": state, "reason": reason, "remarks": user_text(why)},
    }
    finding = {
        "uuid": ids("finding", framework, control_id),
        "title": one_line(f"{control_id} {title}"),
        "description": description,
        "props": [*props, *extra_props],
        "links": list(links),
        "target": target,
        "related-observations": [{"observation-uuid": uuid} for uuid in related],
    }
    return {k: v for k, v in finding.items() if v not in (None, [], {})}
