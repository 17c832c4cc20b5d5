"""Lambda functions: environment encryption, resource policy, function URL and runtime.

ListFunctions returns every function's runtime, KMS key and environment (the values are redacted
before anything is stored); the resource policy and the function URL need one call each per
function. A function without a policy or a URL answers ResourceNotFoundException: that is
"none", a fact, not a collection error.

Only the unqualified function is read (the policy and URL of `$LATEST`); an alias has a policy
and a URL of its own, which would cost two calls per alias and are not read (docs/aws.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    call_optional,
    fan_out_by_key,
    parse_policy,
    unknown_from,
)

_ABSENT = ("ResourceNotFoundException",)


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    client = clients("lambda", region)
    functions = recorder.paginate(client, "list_functions", "Functions")
    names = [f["FunctionName"] for f in functions] if isinstance(functions, list) else []

    def optional(operation: str) -> dict[str, Any]:
        return fan_out_by_key(
            recorder,
            lambda name: call_optional(recorder, client, operation, _ABSENT, FunctionName=name),
            names,
        )

    return {
        "functions": functions,
        "policies": optional("get_policy"),
        "url_configs": optional("get_function_url_config"),
        "collected_at": datetime.now(UTC).isoformat(),
    }


def _recorded(responses: Mapping[str, Any], name: str, operation: str) -> Any:
    """The response for `name`, or an Unknown when its call failed or was never made."""
    if name not in responses:
        return Unknown(f"lambda:{operation} was not recorded for {name}")
    response = responses[name]
    unknown = unknown_from(response)
    return unknown if unknown is not None else response


def resource_policy(response: Any) -> Any:
    """GetPolicy's document in canonical shape; None when the function has no policy."""
    if response is None or isinstance(response, Unknown):
        return response
    return parse_policy(response.get("Policy"))


def function_url(response: Any) -> Any:
    """Terraform's `aws_lambda_function_url`, folded: `[]` when the function has no URL."""
    if response is None:
        return []
    if isinstance(response, Unknown):
        return response
    return [{"authorization_type": response.get("AuthType"), "url": response.get("FunctionUrl")}]


def _attributes(item: Mapping[str, Any], raw: RawService) -> dict[str, Any]:
    name = str(item["FunctionName"])
    policies = raw.data.get("policies") or {}
    urls = raw.data.get("url_configs") or {}
    variables = (item.get("Environment") or {}).get("Variables")
    attributes: dict[str, Any] = {
        "function_name": name,
        "arn": item.get("FunctionArn"),
        "package_type": item.get("PackageType") or "Zip",
        "runtime": item.get("Runtime"),
        "handler": item.get("Handler"),
        "role": item.get("Role"),
        "kms_key_arn": item.get("KMSKeyArn"),
        # Terraform's `environment { variables = {...} }`; the values are already redacted.
        "environment": [{"variables": dict(variables)}] if variables else [],
        "policy": resource_policy(_recorded(policies, name, "GetPolicy")),
        "function_url": function_url(_recorded(urls, name, "GetFunctionUrlConfig")),
    }
    collected = raw.data.get("collected_at")
    if isinstance(collected, str):
        attributes["collected_on"] = collected[:10]
    return attributes


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    functions = raw.data.get("functions")
    for item in functions if isinstance(functions, list) else []:
        name = item["FunctionName"]
        yield Resource(
            type="aws_lambda_function",
            id=str(item["FunctionArn"]),
            source="aws",
            location=location,
            attributes=_attributes(item, raw),
            raw={
                "function": dict(item),
                "policy": (raw.data.get("policies") or {}).get(name),
                "url_config": (raw.data.get("url_configs") or {}).get(name),
            },
        )


COLLECTOR = Collector(
    name="lambda",
    actions=(
        "lambda:ListFunctions",
        "lambda:GetPolicy",
        "lambda:GetFunctionUrlConfig",
    ),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_lambda_function",),
)
