"""CloudTrail S3 object-level data events (read and write) for every bucket, on multi-region
trails.

Judged on each multi-region trail, like the CIS alarm set: the trail that is the account's
complete audit record carries the data events too (regional trails get no finding). A trail
records S3 object events for every bucket when one of its selectors does:

- a basic event selector with a data resource of type `AWS::S3::Object` whose values include the
  all-buckets ARN (`arn:aws:s3`, `arn:aws:s3:::`, or `arn:aws:s3:::*/*`, any partition), and a
  `read_write_type` covering the direction (`All`, or `ReadOnly` / `WriteOnly`);
- an advanced event selector with `eventCategory = Data` and `resources.type =
  AWS::S3::Object`, no `readOnly` field or one equal to the direction (`true` read, `false`
  write), and no field that narrows it (`resources.ARN` only as `starts_with` an all-buckets
  prefix). A selector with any other field records a subset and does not count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check

_ALL_BUCKETS = re.compile(r"^arn:[a-z-]+:s3(:::(\*/\*)?)?$")
_DIRECTION = {"read": ("All", "ReadOnly", "true"), "write": ("All", "WriteOnly", "false")}


class _Unreadable(Exception):
    pass


def _known(value: Any, what: str) -> Any:
    if is_unknown(value):
        raise _Unreadable(f"{what} is unknown: {value.reason}")
    return value


def _blocks(value: Any, what: str) -> list[Any]:
    value = _known(value, what)
    if value is None:
        return []
    return [value] if isinstance(value, Mapping) else list(value)


def _basic_covers(selector: Mapping[str, Any], direction: str) -> bool:
    read_write = _known(selector.get("read_write_type") or "All", "read_write_type")
    if read_write not in _DIRECTION[direction]:
        return False
    for resource in _blocks(selector.get("data_resource"), "a data_resource"):
        if _known(resource.get("type"), "a data_resource type") != "AWS::S3::Object":
            continue
        values = _blocks(resource.get("values"), "data_resource values")
        if any(_ALL_BUCKETS.match(str(_known(v, "a data_resource value"))) for v in values):
            return True
    return False


def _advanced_covers(selector: Mapping[str, Any], direction: str) -> bool:
    fields: dict[str, Mapping[str, Any]] = {}
    for field_selector in _blocks(selector.get("field_selector"), "a field_selector"):
        fields[str(_known(field_selector.get("field"), "a selector field"))] = field_selector

    def equals(name: str) -> list[str] | None:
        entry = fields.get(name)
        if entry is None:
            return None
        if set(entry) - {"field", "equals"}:
            return ["<narrowed>"]
        return [str(_known(v, name)) for v in _blocks(entry.get("equals"), name)]

    if equals("eventCategory") != ["Data"] or equals("resources.type") != ["AWS::S3::Object"]:
        return False
    read_only = equals("readOnly")
    if read_only is not None and read_only != [_DIRECTION[direction][2]]:
        return False
    arn = fields.get("resources.ARN")
    if arn is not None:
        if set(arn) - {"field", "starts_with"}:
            return False
        prefixes = [str(_known(v, "resources.ARN")) for v in _blocks(arn.get("starts_with"), "ARN")]
        if not all(
            _ALL_BUCKETS.match(p.rstrip("*/") if p.endswith(":::") else p) for p in prefixes
        ):
            return False
    return not set(fields) - {"eventCategory", "resources.type", "readOnly", "resources.ARN"}


def _verdict(trail: Resource, direction: str) -> Result:
    logging = trail.get("enable_logging")
    if logging is False:
        return Result.failed("the trail is not logging, so it records no data events")
    unknown: list[str] = []
    for key, covers in (
        ("event_selector", _basic_covers),
        ("advanced_event_selector", _advanced_covers),
    ):
        try:
            selectors = _blocks(trail.get(key), key)
        except _Unreadable as exc:
            unknown.append(str(exc))
            continue
        for selector in selectors:
            try:
                if covers(selector, direction):
                    return Result.passed(f"{key} records S3 {direction} data events of all buckets")
            except _Unreadable as exc:
                unknown.append(str(exc))
    if is_unknown(logging):
        return Result.unknown(f"whether the trail is logging is unknown: {logging.reason}")
    if unknown:
        return Result.unknown(unknown[0])
    return Result.failed(f"no selector records S3 {direction} data events for all buckets")


def is_multi_region(trail: Resource) -> bool:
    value = trail.get("is_multi_region_trail")
    return True if is_unknown(value) else value is True


def _multi_region_unknown(trail: Resource) -> Result | None:
    value = trail.get("is_multi_region_trail")
    if is_unknown(value):
        return Result.unknown(f"whether the trail is multi-region is unknown: {value.reason}")
    return None


@check(
    id="cloudtrail_s3_data_events_read_recorded",
    title="A multi-region CloudTrail trail records S3 object reads (data events) for all buckets",
    severity="medium",
    resource_types=["aws_cloudtrail"],
    applies_to=is_multi_region,
    references={"cis_aws_v1.4": ["3.11"]},
)
def cloudtrail_s3_data_events_read_recorded(trail: Resource) -> Result:
    """Management events say a bucket's policy changed; only data events say who read which
    object. Without them, nobody can tell whose ePHI a leaked credential read (audit controls,
    unique user identification). The rule for "all buckets" is in the module docstring.

    Remediation:

        resource "aws_cloudtrail" "main" {
          is_multi_region_trail = true
          event_selector {
            read_write_type           = "All"
            include_management_events = true
            data_resource {
              type   = "AWS::S3::Object"
              values = ["arn:aws:s3"]
            }
          }
        }
    """
    return _multi_region_unknown(trail) or _verdict(trail, "read")


@check(
    id="cloudtrail_s3_data_events_write_recorded",
    title="A multi-region CloudTrail trail records S3 object writes (data events) for all buckets",
    severity="medium",
    resource_types=["aws_cloudtrail"],
    applies_to=is_multi_region,
    references={"cis_aws_v1.4": ["3.10"]},
)
def cloudtrail_s3_data_events_write_recorded(trail: Resource) -> Result:
    """Data events of writes and deletes tell who changed or destroyed which object: the record
    the integrity controls need when ePHI is altered. The rule for "all buckets" is in the
    module docstring.

    Remediation:

        resource "aws_cloudtrail" "main" {
          is_multi_region_trail = true
          event_selector {
            read_write_type           = "WriteOnly"
            include_management_events = true
            data_resource {
              type   = "AWS::S3::Object"
              values = ["arn:aws:s3"]
            }
          }
        }
    """
    return _multi_region_unknown(trail) or _verdict(trail, "write")
