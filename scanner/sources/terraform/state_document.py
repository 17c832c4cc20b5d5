"""Terraform state documents: the raw state file (`terraform.tfstate`, format version 4) and the
state in JSON (`terraform show -json`, `format_version` 1.x), read into one list of instances.

Raw state (https://developer.hashicorp.com/terraform/language/state, internal format v4):
`resources[]` with `mode`, `type`, `name`, optional `module` (`module.a["x"].module.b`) and
`instances[]` holding `index_key` (count: a number, for_each: a string), `attributes` and
`sensitive_attributes` (paths of `{"type": "get_attr"|"index", "value": ...}` steps).
JSON state (https://developer.hashicorp.com/terraform/internals/json-format): `values.root_module`
with `resources[]` (`address`, `mode`, `type`, `name`, `index`, `values`, `sensitive_values`) and
nested `child_modules[]`.

Sensitive values (database passwords, private keys: a state holds them in clear) are replaced here
by the Unknown marker, so that nothing downstream can print them or compare them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from scanner.core.model import Unknown


class StateError(Exception):
    """The file is not a Terraform state comply can read (another version, corrupt, not JSON)."""


@dataclass(frozen=True)
class StateInstance:
    address: str  # as Terraform prints it: module.app["eu"].aws_s3_bucket.logs[0]
    type: str
    name: str
    module: str  # "" for the root module
    index_key: int | str | None
    attributes: dict[str, Any]


@dataclass
class StateDocument:
    kind: str  # "tfstate" | "show-json"
    version: str
    terraform_version: str | None
    instances: list[StateInstance] = field(default_factory=list)


def _index_suffix(index_key: Any) -> str:
    if index_key is None:
        return ""
    if isinstance(index_key, bool) or not isinstance(index_key, int | str):
        raise StateError(f"index_key must be a number or a string, not {index_key!r}"[:200])
    return f"[{json.dumps(index_key)}]" if isinstance(index_key, str) else f"[{index_key}]"


def instance_address(module: str, type_name: str, name: str, index_key: Any) -> str:
    prefix = f"{module}." if module else ""
    return f"{prefix}{type_name}.{name}{_index_suffix(index_key)}"


def _sensitive_path_steps(path: Any) -> list[str | int] | None:
    if not isinstance(path, list):
        return None
    steps: list[str | int] = []
    for step in path:
        if not isinstance(step, dict):
            return None
        value = step.get("value")
        if step.get("type") == "get_attr" and isinstance(value, str):
            steps.append(value)
        elif step.get("type") == "index":
            inner = value.get("value") if isinstance(value, dict) else value
            if isinstance(inner, bool) or not isinstance(inner, int | str):
                return None
            steps.append(inner)
        else:
            return None
    return steps


def _mark_path(node: Any, steps: list[str | int], where: str) -> Any:
    """Replace the value at `steps` with Unknown; a path that does not resolve hides its top."""
    if not steps:
        return Unknown(f"{where} is sensitive in the state; comply does not read it")
    head, rest = steps[0], steps[1:]
    in_dict = isinstance(node, dict) and isinstance(head, str) and head in node
    in_list = isinstance(node, list) and isinstance(head, int) and 0 <= head < len(node)
    if in_dict or in_list:
        node[head] = _mark_path(node[head], rest, f"{where}.{head}")
    elif isinstance(node, dict) and isinstance(head, str | int):
        node[str(head)] = Unknown(f"{where}.{head} is sensitive in the state")
    return node


def _mark_flags(node: Any, flags: Any, where: str) -> Any:
    """`sensitive_values` of the JSON format: the same shape as the values, `true` = sensitive."""
    if flags is True:
        return Unknown(f"{where} is sensitive in the state; comply does not read it")
    if isinstance(node, dict) and isinstance(flags, dict):
        return {k: _mark_flags(v, flags.get(k), f"{where}.{k}") for k, v in node.items()}
    if isinstance(node, list) and isinstance(flags, list):
        return [
            _mark_flags(v, flags[i] if i < len(flags) else None, f"{where}.{i}")
            for i, v in enumerate(node)
        ]
    return node


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StateError(f"{where} must be an object")
    return value


def _raw_instances(document: dict[str, Any]) -> list[StateInstance]:
    found: list[StateInstance] = []
    resources = document.get("resources", [])
    if not isinstance(resources, list):
        raise StateError("resources must be a list")
    for i, resource in enumerate(resources):
        resource = _object(resource, f"resources[{i}]")
        if resource.get("mode") != "managed":
            continue  # data sources are read, not managed
        type_name, name = resource.get("type"), resource.get("name")
        module = resource.get("module") or ""
        if (
            not isinstance(type_name, str)
            or not isinstance(name, str)
            or not isinstance(module, str)
        ):
            raise StateError(f"resources[{i}]: type, name and module must be strings")
        instances = resource.get("instances", [])
        if not isinstance(instances, list):
            raise StateError(f"resources[{i}].instances must be a list")
        for j, instance in enumerate(instances):
            instance = _object(instance, f"resources[{i}].instances[{j}]")
            if instance.get("deposed"):
                continue  # a deposed object is being replaced: it is on its way out
            index_key = instance.get("index_key")
            address = instance_address(module, type_name, name, index_key)
            attributes = dict(_object(instance.get("attributes", {}), f"{address}: attributes"))
            paths = instance.get("sensitive_attributes") or []
            for path in paths if isinstance(paths, list) else []:
                steps = _sensitive_path_steps(path)
                if steps:
                    _mark_path(attributes, steps, address)
            found.append(StateInstance(address, type_name, name, module, index_key, attributes))
    return found


def _json_instances(document: dict[str, Any]) -> list[StateInstance]:
    values = document.get("values")
    if values is None:
        return []  # an empty state: `terraform show -json` prints no values
    stack: list[Any] = [_object(values, "values").get("root_module")]
    found: list[StateInstance] = []
    while stack:
        module = stack.pop()
        if module is None:
            continue
        module = _object(module, "module")
        module_address = module.get("address") or ""
        for resource in module.get("resources") or []:
            resource = _object(resource, f"{module_address or 'root_module'}: resource")
            if resource.get("mode") != "managed" or resource.get("deposed_key"):
                continue
            address, type_name, name = (
                resource.get("address"),
                resource.get("type"),
                resource.get("name"),
            )
            if not all(isinstance(x, str) for x in (address, type_name, name)):
                raise StateError(f"{module_address or 'root_module'}: resource without address")
            attributes = _mark_flags(
                dict(_object(resource.get("values") or {}, f"{address}: values")),
                resource.get("sensitive_values"),
                str(address),
            )
            found.append(
                StateInstance(
                    str(address),
                    str(type_name),
                    str(name),
                    str(module_address),
                    resource.get("index"),
                    attributes,
                )
            )
        stack.extend(reversed(module.get("child_modules") or []))
    return found


def parse_state(text: str) -> StateDocument:
    """Parse a state in either format; raises StateError saying what is wrong."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise StateError(f"not a Terraform state: invalid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise StateError("not a Terraform state: the document is not a JSON object")
    try:
        if "format_version" in document:
            version = str(document["format_version"])
            if not version.startswith("1."):
                raise StateError(
                    f"JSON state format_version {version} is not supported (comply reads 1.x)"
                )
            if "planned_values" in document or "resource_changes" in document:
                raise StateError("this is a plan, not a state: scan it with comply scan terraform")
            instances = _json_instances(document)
            kind = "show-json"
        elif "version" in document:
            version = str(document["version"])
            if document["version"] != 4:
                raise StateError(
                    f"state format version {version} is not supported (comply reads version 4, "
                    "written by Terraform 0.12 and later; run terraform state pull with a "
                    "current Terraform)"
                )
            instances = _raw_instances(document)
            kind = "tfstate"
        else:
            raise StateError(
                "not a Terraform state: neither `version` (terraform.tfstate) nor "
                "`format_version` (terraform show -json) is present"
            )
    except RecursionError:
        raise StateError("values nested too deeply") from None
    terraform_version = document.get("terraform_version")
    return StateDocument(
        kind,
        version,
        terraform_version if isinstance(terraform_version, str) else None,
        instances,
    )
