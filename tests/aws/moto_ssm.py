"""Two SSM reads moto 5 does not implement (DescribeInstanceInformation and
ListResourceComplianceSummaries), answered by the test moto server from moto's own EC2 state.

Without them every scan of the test server would record a 500 for the `ssm` collector. With
them the real collector, recorder and HTTP path run as against AWS, and an account answers as a
real one does: no instance is managed, and none has patch data, unless a seed says otherwise
with two instance tags standing in for what an SSM agent would report:

- `comply-test:ssm-agent` = the agent's ping status (`Online`, `ConnectionLost`, `Inactive`);
- `comply-test:patch` = the last patch scan's status (`COMPLIANT`, `NON_COMPLIANT`).

The response shapes are the documented ones (botocore's service model serializes them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

AGENT_TAG = "comply-test:ssm-agent"
PATCH_TAG = "comply-test:patch"
_SCAN_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def _tagged_instances(response: Any, key: str) -> list[tuple[Any, str]]:
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[response.current_account][response.region]
    found = []
    for instance in backend.all_instances():
        tags = {t["key"]: t["value"] for t in instance.get_tags()}
        if key in tags:
            found.append((instance, tags[key]))
    return found


def _describe_instance_information(self: Any) -> Any:
    from moto.core.responses import ActionResult

    listed = [
        {
            "InstanceId": instance.id,
            "PingStatus": status,
            "LastPingDateTime": _SCAN_TIME,
            "AgentVersion": "3.3.0.0",
            "PlatformType": "Linux",
            "ResourceType": "EC2Instance",
        }
        for instance, status in _tagged_instances(self, AGENT_TAG)
    ]
    return ActionResult({"InstanceInformationList": listed})


def _list_resource_compliance_summaries(self: Any) -> Any:
    from moto.core.responses import ActionResult

    wanted = {
        value
        for entry in self._get_param("Filters", []) or []
        if entry.get("Key") == "ComplianceType"
        for value in entry.get("Values", [])
    }
    items = []
    if not wanted or "Patch" in wanted:
        for instance, status in _tagged_instances(self, PATCH_TAG):
            missing = 0 if status == "COMPLIANT" else 3
            items.append(
                {
                    "ComplianceType": "Patch",
                    "ResourceType": "ManagedInstance",
                    "ResourceId": instance.id,
                    "Status": status,
                    "OverallSeverity": "UNSPECIFIED" if missing == 0 else "CRITICAL",
                    "ExecutionSummary": {"ExecutionTime": _SCAN_TIME},
                    "NonCompliantSummary": {"NonCompliantCount": missing},
                }
            )
    return ActionResult({"ResourceComplianceSummaryItems": items})


def install() -> None:
    """Add the two reads to moto's SSM responses (idempotent; only where moto lacks them)."""
    from moto.ssm.responses import SimpleSystemManagerResponse as Responses

    for name, function in (
        ("describe_instance_information", _describe_instance_information),
        ("list_resource_compliance_summaries", _list_resource_compliance_summaries),
    ):
        if not hasattr(Responses, name):
            setattr(Responses, name, function)
