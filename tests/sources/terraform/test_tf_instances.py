"""count/for_each instances: addresses, per-instance values, references between instances,
module instances, and what reports, baselines and --changed-since do with them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.core.model import ComputedRef, is_unknown
from scanner.sources.terraform import load_terraform

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "PATH": "/usr/bin:/bin",
    "HOME": "/tmp",
}


def _load(tmp_path: Path, text: str, **modules: str) -> dict[str, dict]:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    for name, body in modules.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(body, encoding="utf-8")
    result = load_terraform(tmp_path)
    assert result.errors == [], result.errors
    return {r.id: r for r in result.resources}


def test_references_between_instances(tmp_path: Path) -> None:
    resources = _load(
        tmp_path,
        """
resource "aws_kms_key" "k" {
  for_each    = { a = "first", b = "second" }
  description = each.value
}
resource "aws_sns_topic" "t" {
  count             = 2
  name              = "topic-${count.index}"
  kms_master_key_id = aws_kms_key.k[count.index == 0 ? "a" : "b"].arn
}
resource "aws_sqs_queue" "all" {
  name = join(",", aws_sns_topic.t[*].name)
  tags = { for key, key_resource in aws_kms_key.k : key => key_resource.description }
  policy_count = length(aws_sns_topic.t)
  kms_master_key_id = try(aws_kms_key.k["missing"].arn, "fallback")
}
""",
    )
    assert resources["aws_sns_topic.t[0]"].attributes["kms_master_key_id"] == ComputedRef(
        'aws_kms_key.k["a"].arn'
    )
    assert resources["aws_sns_topic.t[1]"].attributes["kms_master_key_id"] == ComputedRef(
        'aws_kms_key.k["b"].arn'
    )
    queue = resources["aws_sqs_queue.all"].attributes
    assert queue["name"] == "topic-0,topic-1"
    assert queue["tags"] == {"a": "first", "b": "second"}
    assert queue["policy_count"] == 2
    assert queue["kms_master_key_id"] == "fallback"


def test_module_instances_and_their_outputs(tmp_path: Path) -> None:
    resources = _load(
        tmp_path,
        """
module "m" {
  source   = "./mod"
  for_each = toset(["x", "y"])
  name     = each.key
}
resource "aws_sns_topic" "t" {
  name = join("+", [for key, instance in module.m : instance.name_out])
}
""",
        mod="""
variable "name" {}
resource "aws_sqs_queue" "q" {
  name = "q-${var.name}"
}
output "name_out" {
  value = aws_sqs_queue.q.name
}
""",
    )
    assert resources['module.m["x"].aws_sqs_queue.q'].attributes["name"] == "q-x"
    assert resources['module.m["y"].aws_sqs_queue.q'].attributes["name"] == "q-y"
    assert resources["aws_sns_topic.t"].attributes["name"] == "q-x+q-y"


def test_unknown_collection_keeps_one_resource_with_unknown_markers(tmp_path: Path) -> None:
    resources = _load(
        tmp_path,
        """
variable "names" {}
resource "aws_sqs_queue" "q" {
  for_each = var.names
  name     = each.key
}
""",
    )
    assert list(resources) == ["aws_sqs_queue.q"]
    name = resources["aws_sqs_queue.q"].attributes["name"]
    assert is_unknown(name) and "for_each of aws_sqs_queue.q is not known" in name.reason


def test_flow_log_of_unknown_count_is_unknown_not_present(tmp_path: Path) -> None:
    resources = _load(
        tmp_path,
        """
variable "enabled" {}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_flow_log" "f" {
  count        = var.enabled ? 1 : 0
  vpc_id       = aws_vpc.v.id
  traffic_type = "ALL"
}
""",
    )
    flow_logs = resources["aws_vpc.v"].attributes["flow_logs"]
    assert len(flow_logs) == 1 and is_unknown(flow_logs[0])
    assert "may not exist" in flow_logs[0].reason


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=GIT_ENV)


def test_reports_baselines_and_changed_since_work_per_instance(comply, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.tf").write_text(
        'resource "aws_kms_key" "k" {\n  for_each = toset(["a", "b"])\n}\n\n'
        'resource "aws_kms_key" "other" {\n  count = 1\n}\n',
        encoding="utf-8",
    )
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    args = ["scan", "terraform", ".", "--no-cache", "--check", "kms_key_rotation_enabled"]
    result = comply(*args, "-o", "json", "-o", f"sarif={tmp_path / 'out.sarif'}", cwd=repo)
    findings = {f["resource"]["id"]: f for f in result.json()["findings"]}
    assert set(findings) == {'aws_kms_key.k["a"]', 'aws_kms_key.k["b"]', "aws_kms_key.other[0]"}
    assert len({f["fingerprint"] for f in findings.values()}) == 3
    assert findings['aws_kms_key.k["b"]']["location"]["start_line"] == 1  # the block
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert len(results) == 3
    assert len({json.dumps(r["partialFingerprints"], sort_keys=True) for r in results}) == 3

    # Edit the for_each block: both of its instances changed, the counted key did not.
    main = repo / "main.tf"
    main.write_text(main.read_text().replace('["a", "b"]', '["b", "a"]'))
    changed = comply(*args, "--changed-since", "HEAD", "-o", "json", cwd=repo)
    blocking = {f["resource"]["id"] for f in changed.json()["findings"] if f["blocking"]}
    assert blocking == {'aws_kms_key.k["a"]', 'aws_kms_key.k["b"]'}

    # A baseline taken now accepts each instance by its own fingerprint.
    report, baseline = tmp_path / "report.json", tmp_path / "baseline.json"
    comply(*args, "-o", f"json={report}", cwd=repo)
    comply("baseline", "create", str(report), "-o", str(baseline), cwd=repo)
    after = comply(*args, "--baseline", str(baseline), "-o", "json", cwd=repo)
    assert after.exit_code == 0, after.stderr


_NAMES = st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    count=st.integers(min_value=0, max_value=4),
    keys=st.dictionaries(_NAMES, st.booleans(), max_size=4),
    module_keys=st.lists(_NAMES, max_size=3, unique=True),
)
def test_instances_match_the_collections(
    tmp_path_factory: pytest.TempPathFactory,
    count: int,
    keys: dict[str, bool],
    module_keys: list[str],
) -> None:
    """Whatever the known collections, one resource per instance, each with its own values."""
    root = tmp_path_factory.mktemp("instances")
    rotation = "{" + ", ".join(f'"{k}" = {str(v).lower()}' for k, v in keys.items()) + "}"
    module_set = "[" + ", ".join(f'"{k}"' for k in module_keys) + "]"
    resources = _load(
        root,
        f"""
resource "aws_kms_key" "counted" {{
  count       = {count}
  description = "key-${{count.index}}"
}}
resource "aws_kms_key" "keyed" {{
  for_each            = {rotation}
  enable_key_rotation = each.value
  description         = each.key
}}
module "m" {{
  source   = "./mod"
  for_each = toset({module_set})
  name     = each.key
}}
""",
        mod='variable "name" {}\nresource "aws_sqs_queue" "q" {\n  name = var.name\n}\n',
    )
    expected = {f"aws_kms_key.counted[{i}]" for i in range(count)}
    expected |= {f"aws_kms_key.keyed[{json.dumps(k)}]" for k in keys}
    expected |= {f"module.m[{json.dumps(k)}].aws_sqs_queue.q" for k in module_keys}
    assert set(resources) == expected
    for i in range(count):
        assert resources[f"aws_kms_key.counted[{i}]"].attributes["description"] == f"key-{i}"
    for key, rotate in keys.items():
        attributes = resources[f"aws_kms_key.keyed[{json.dumps(key)}]"].attributes
        assert attributes == {"enable_key_rotation": rotate, "description": key}
    for key in module_keys:
        assert resources[f"module.m[{json.dumps(key)}].aws_sqs_queue.q"].attributes == {"name": key}
