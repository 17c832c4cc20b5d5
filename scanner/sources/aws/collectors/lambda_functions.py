"""Lambda functions: environment encryption, resource policy, function URL and runtime.

ListFunctions returns every function's runtime, KMS key and environment (the values are redacted
before anything is stored); the resource policy and the function URL need one call each per
function. A function without a policy or a URL answers ResourceNotFoundException: that is
"none", a fact, not a collection error.

An alias has a policy and a URL of its own, and anyone its policy admits may invoke the function
through it: ListAliases per function, then GetPolicy and GetFunctionUrlConfig per alias; their
statements and URLs count as the function's. A function whose aliases could not be listed has
an unknown statement and URL. Permissions granted on a published version number (not an alias)
are not read (docs/aws.md).
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

    aliases: dict[str, Any] = fan_out_by_key(
        recorder,
        lambda name: recorder.paginate(client, "list_aliases", "Aliases", FunctionName=name),
        names,
    )
    qualified = [
        f"{name}:{alias['Name']}"
        for name, listed in aliases.items()
        if isinstance(listed, list)
        for alias in listed
    ]

    def optional_qualified(operation: str) -> dict[str, Any]:
        def one(key: str) -> Any:
            name, _, alias = key.partition(":")
            return call_optional(
                recorder, client, operation, _ABSENT, FunctionName=name, Qualifier=alias
            )

        return fan_out_by_key(recorder, one, qualified)

    return {
        "functions": functions,
        "policies": optional("get_policy"),
        "url_configs": optional("get_function_url_config"),
        "aliases": aliases,
        "alias_policies": optional_qualified("get_policy"),
        "alias_url_configs": optional_qualified("get_function_url_config"),
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


def _with_aliases(name: str, policy: Any, urls: Any, raw: RawService) -> tuple[Any, Any]:
    """The function's policy and URLs with each alias's statements and URL added; an alias
    listing that failed (or was never made) adds one unknown statement and URL."""
    statements: list[Any] = []
    extra_urls: list[Any] = []
    aliases = _recorded(raw.data.get("aliases") or {}, name, "ListAliases")
    if isinstance(aliases, Unknown) or not isinstance(aliases, list):
        unknown = aliases if isinstance(aliases, Unknown) else Unknown("lambda:ListAliases")
        statements.append(unknown)
        extra_urls.append(unknown)
    else:
        for alias in aliases:
            key = f"{name}:{alias.get('Name')}"
            alias_policy = resource_policy(
                _recorded(raw.data.get("alias_policies") or {}, key, "GetPolicy")
            )
            if isinstance(alias_policy, Unknown):
                statements.append(alias_policy)
            elif alias_policy:
                statements.extend(alias_policy.get("Statement") or [])
            alias_urls = function_url(
                _recorded(raw.data.get("alias_url_configs") or {}, key, "GetFunctionUrlConfig")
            )
            if isinstance(alias_urls, Unknown):
                extra_urls.append(alias_urls)
            else:
                extra_urls.extend(alias_urls)
    if statements and not isinstance(policy, Unknown):
        base = policy or {"Version": "2012-10-17", "Statement": []}
        policy = {**base, "Statement": [*(base.get("Statement") or []), *statements]}
    if extra_urls and not isinstance(urls, Unknown):
        urls = [*urls, *extra_urls]
    return policy, urls


def _attributes(item: Mapping[str, Any], raw: RawService) -> dict[str, Any]:
    name = str(item["FunctionName"])
    policies = raw.data.get("policies") or {}
    urls = raw.data.get("url_configs") or {}
    policy, function_urls = _with_aliases(
        name,
        resource_policy(_recorded(policies, name, "GetPolicy")),
        function_url(_recorded(urls, name, "GetFunctionUrlConfig")),
        raw,
    )
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
        "policy": policy,
        "function_url": function_urls,
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
                "aliases": (raw.data.get("aliases") or {}).get(name),
            },
        )


COLLECTOR = Collector(
    name="lambda",
    actions=(
        "lambda:ListFunctions",
        "lambda:GetPolicy",
        "lambda:GetFunctionUrlConfig",
        "lambda:ListAliases",
    ),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_lambda_function",),
)
