"""Systems Manager in one region: which instances run a registered SSM agent, and their patch
compliance.

Two region-wide calls, paginated, and no per-instance call: DescribeInstanceInformation (every
managed node with its agent's ping status) and ListResourceComplianceSummaries filtered to the
`Patch` compliance type (the result of the last patch scan of each node). They become one
`aws_ssm_managed_instances` resource per region, which the EC2 instance checks read as
evidence: keyed by instance id, or an Unknown naming the call that failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    partition_for,
    unknown_from,
)

RESOURCE_TYPE = "aws_ssm_managed_instances"
PATCH_FILTER = [{"Key": "ComplianceType", "Values": ["Patch"], "Type": "EQUAL"}]


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    ssm = clients("ssm", region)
    return {
        "instance_information": recorder.paginate(
            ssm, "describe_instance_information", "InstanceInformationList"
        ),
        "patch_compliance": recorder.paginate(
            ssm,
            "list_resource_compliance_summaries",
            "ResourceComplianceSummaryItems",
            Filters=PATCH_FILTER,
        ),
        "partition": ssm.meta.partition,
    }


def _managed(listing: Any) -> Any:
    failed = unknown_from(listing)
    if failed is not None:
        return failed
    return {
        str(item["InstanceId"]): {
            "ping_status": item.get("PingStatus"),
            "resource_type": item.get("ResourceType"),
            "platform_type": item.get("PlatformType"),
            "agent_version": item.get("AgentVersion"),
            "last_ping": item.get("LastPingDateTime"),
        }
        for item in (listing if isinstance(listing, list) else [])
        if isinstance(item, Mapping) and item.get("InstanceId")
    }


def _patch(listing: Any) -> Any:
    failed = unknown_from(listing)
    if failed is not None:
        return failed
    found: dict[str, Any] = {}
    for item in listing if isinstance(listing, list) else []:
        if not isinstance(item, Mapping) or item.get("ComplianceType") not in (None, "Patch"):
            continue
        summary = item.get("NonCompliantSummary") or {}
        found[str(item.get("ResourceId"))] = {
            "status": item.get("Status"),
            "overall_severity": item.get("OverallSeverity"),
            "non_compliant_count": summary.get("NonCompliantCount"),
            "execution_time": (item.get("ExecutionSummary") or {}).get("ExecutionTime"),
        }
    return found


def normalize(raw: RawService) -> Iterable[Resource]:
    partition = str(raw.data.get("partition") or partition_for(raw.region))
    yield Resource(
        type=RESOURCE_TYPE,
        id=f"arn:{partition}:ssm:{raw.region}:{raw.account}:managed-instances",
        source="aws",
        location=Location(account=raw.account, region=raw.region),
        attributes={
            "managed_instances": _managed(raw.data.get("instance_information")),
            "patch_compliance": _patch(raw.data.get("patch_compliance")),
        },
        raw={k: v for k, v in raw.data.items() if k != "partition"},
    )


COLLECTOR = Collector(
    name="ssm",
    actions=("ssm:DescribeInstanceInformation", "ssm:ListResourceComplianceSummaries"),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=(RESOURCE_TYPE,),
)
