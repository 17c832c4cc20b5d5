"""Read a Terraform plan in its JSON form (`terraform show -json plan.out`) and check its shape.

The format is documented as "JSON Output Format" in Terraform's internals: a `format_version`
whose major version changes only for incompatible changes (readers must reject a major they do not
know), `planned_values`, `resource_changes`, `configuration` and, optionally, `prior_state`.
Terraform 0.12 to 1.0 wrote `0.x`, later versions `1.x`; both have the shape read here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUPPORTED_MAJORS = ("0", "1")
# How much of a `.json` file auto-detection reads: Terraform writes format_version first.
DETECTION_BYTES = 4096
_FORMAT_VERSION = re.compile(rb'"format_version"\s*:')


class PlanError(Exception):
    """The file is not a plan comply can read; the message says why (without the file name)."""


@dataclass(frozen=True)
class PlanDocument:
    format_version: str
    terraform_version: str
    resource_changes: list[dict[str, Any]]
    planned_values: dict[str, Any]
    configuration: dict[str, Any]
    errored: bool = False  # Terraform stopped planning on an error: the plan is partial
    complete: bool = True  # false for plans with deferred changes (-target, unknown for_each)


def looks_like_plan(path: Path) -> bool:
    """Whether `comply scan terraform FILE` was given a plan rather than a `.tf.json` file."""
    if not path.is_file() or not path.name.endswith(".json") or path.name.endswith(".tf.json"):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(DETECTION_BYTES)
    except OSError:
        return False
    return _FORMAT_VERSION.search(head) is not None


def parse_plan(text: str) -> PlanDocument:
    """The plan in `text`; raises PlanError with a reason a user can act on."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except RecursionError:
        raise PlanError("not valid JSON: nested too deeply") from None
    if not isinstance(document, dict) or "format_version" not in document:
        raise PlanError(
            "not a Terraform plan: no format_version (write one with "
            "`terraform show -json plan.out > plan.json`)"
        )
    version = document["format_version"]
    if not isinstance(version, str) or version.split(".")[0] not in SUPPORTED_MAJORS:
        raise PlanError(
            f"plan format_version {version!r} is not supported (comply reads 0.x and 1.x; a new "
            "major version is not backward compatible)"
        )
    if "planned_values" not in document and "resource_changes" not in document:
        if "values" in document:
            raise PlanError("this is Terraform state, not a plan: scan `terraform show -json PLAN`")
        raise PlanError("not a Terraform plan: no planned_values or resource_changes")
    if "resource_changes" not in document and planned_resources(document["planned_values"]):
        raise PlanError(
            "the plan has planned_values but no resource_changes: without after_unknown an "
            "unknown value cannot be told from an absent one"
        )
    changes = document.get("resource_changes") or []
    planned = document.get("planned_values") or {}
    configuration = document.get("configuration") or {}
    if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
        raise PlanError("resource_changes must be a list of objects")
    if not isinstance(planned, dict) or not isinstance(configuration, dict):
        raise PlanError("planned_values and configuration must be objects")
    terraform_version = document.get("terraform_version")
    return PlanDocument(
        format_version=version,
        terraform_version=terraform_version if isinstance(terraform_version, str) else "",
        resource_changes=changes,
        planned_values=planned,
        configuration=configuration,
        errored=document.get("errored") is True,
        complete=document.get("complete") is not False,
    )


def planned_resources(planned_values: Any) -> dict[str, dict[str, Any]]:
    """Every resource of `planned_values` (root module and nested child modules) by address."""
    found: dict[str, dict[str, Any]] = {}
    if not isinstance(planned_values, dict):
        return found
    stack = [planned_values.get("root_module")]
    while stack:
        module = stack.pop()
        if not isinstance(module, dict):
            continue
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                found[resource["address"]] = resource
        stack.extend(module.get("child_modules") or [])
    return found
