"""The YAML and HCL loaders as properties (issue 11): whatever the text, they raise nothing but
their documented errors, and what they load is bounded by the documented caps (so no input can
make them run unbounded: every alias bomb or doubling chain stops at a cap, never in memory).

Work is asserted through sizes, never wall time: a value that loads is at most the cap written
out, and a value past the cap is refused with the documented error.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.core.model import ScanError
from scanner.core.yaml_budget import MAX_EXPANDED_NODES
from scanner.core.yaml_files import YamlFileError, load_yaml_text
from scanner.sources.kubernetes import load_kubernetes
from scanner.sources.kubernetes.documents import parse_yaml
from scanner.sources.terraform import load_terraform
from scanner.sources.terraform.parse import parse_outcome
from scanner.sources.terraform.values import ValueTooLarge, check_size

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- YAML ------------------------------------------------------------------------------------

YAML_TOKENS = st.sampled_from(
    [
        "a",
        "b",
        "key",
        ": ",
        ":",
        "- ",
        "-",
        "\n",
        "\n  ",
        "\n    ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "&x ",
        "&y ",
        "*x",
        "*y",
        "<<: *x",
        "!!str ",
        "!!python/object:os.system ",
        "'",
        '"',
        "#",
        "---\n",
        "...\n",
        "? ",
        "|\n  ",
        ">\n  ",
        "\t",
        "%YAML 1.1\n",
        "!custom ",
        "null",
        "2027-02-30",
        "0x1F",
        "1e9",
        "~",
        "\\",
        "\r\n",
    ]
)
YAML_TEXT = st.one_of(st.text(max_size=200), st.lists(YAML_TOKENS, max_size=60).map("".join))


@st.composite
def alias_bomb(draw: st.DrawFn) -> str:
    """A document where each level repeats the one before `width` times."""
    width = draw(st.integers(2, 12))
    depth = draw(st.integers(1, 9))
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    for level in range(1, depth + 1):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def expanded_size(value: Any, cap: int) -> int:
    """Nodes of `value` written out, counting shared parts each time; stops past `cap`."""
    count, stack = 0, [value]
    while stack and count <= cap:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


@SETTINGS
@given(st.one_of(YAML_TEXT, alias_bomb()))
def test_user_yaml_loader_raises_only_its_error_and_loads_within_the_cap(text: str) -> None:
    try:
        data = load_yaml_text(text, "fuzz.yaml", warnings=[])
    except YamlFileError as exc:
        assert str(exc).startswith("fuzz.yaml")
        return
    assert expanded_size(data, MAX_EXPANDED_NODES) <= MAX_EXPANDED_NODES


@SETTINGS
@given(st.one_of(YAML_TEXT, alias_bomb()))
def test_manifest_parser_never_raises_and_loads_within_the_cap(text: str) -> None:
    parsed = parse_yaml(text)
    for document in parsed.documents:
        assert expanded_size(document.data, MAX_EXPANDED_NODES) <= MAX_EXPANDED_NODES
    for error in parsed.errors:
        assert error.message


@SETTINGS
@given(st.one_of(YAML_TEXT, alias_bomb()))
def test_kubernetes_loader_reports_every_bad_file_as_an_error_or_warning(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fuzz\ndata:\n  x: |\n    y\n---\n"
            + text,
            encoding="utf-8",
        )
        result = load_kubernetes([path], kustomize=False)
    assert all(isinstance(e, ScanError) for e in [*result.errors, *result.warnings])
    for resource in result.resources:
        assert expanded_size(resource.raw, MAX_EXPANDED_NODES) <= MAX_EXPANDED_NODES


def test_alias_bomb_strategy_reaches_past_the_cap() -> None:
    """The largest bomb the strategy draws (12 wide, 9 deep) is past the cap: the properties
    above meet refused bombs, not only small ones."""
    with __import__("pytest").raises(YamlFileError, match="more than 1,000,000 nodes"):
        load_yaml_text(_biggest_bomb(), "bomb.yaml")


def _biggest_bomb() -> str:
    lines = [f"l0: &l0 [{', '.join(['x'] * 12)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 12)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


# -- HCL -------------------------------------------------------------------------------------

HCL_TOKENS = st.sampled_from(
    [
        'resource "aws_s3_bucket" "b" {',
        "}",
        "{",
        "locals {",
        'variable "v" {',
        "bucket",
        " = ",
        "=",
        '"x"',
        '"${',
        '}"',
        "local.a",
        "local.b",
        "var.v",
        "[",
        "]",
        "(",
        ")",
        "concat(",
        "join(",
        "replace(",
        "for k in local.a : k",
        ", ",
        "\n",
        "\r\n",
        "#",
        "//",
        "/*",
        "*/",
        "<<EOF\n",
        "\nEOF\n",
        "%{ if true }",
        "%{ endif }",
        "count",
        "for_each",
        "dynamic",
        "module",
        "source",
        '"../x"',
        "...",
        "?",
        ":",
        "null",
        "true",
        "1e308",
    ]
)
HCL_TEXT = st.one_of(st.text(max_size=200), st.lists(HCL_TOKENS, max_size=60).map("".join))


@st.composite
def doubling_locals(draw: st.DrawFn) -> str:
    """Locals where each one builds on the one before with a growing expression."""
    depth = draw(st.integers(1, 40))
    grow = draw(
        st.lists(
            st.sampled_from(
                [
                    "concat(local.l{p}, local.l{p})",
                    '"${{local.s{p}}}${{local.s{p}}}"',
                    "[local.l{p}, local.l{p}]",
                    "merge(local.m{p}, {{ k{i} = local.m{p} }})",
                    "[for x in local.l{p} : local.l{p}]",
                    'replace(local.s{p}, "a", local.s{p})',
                ]
            ),
            min_size=1,
            max_size=3,
        )
    )
    lines = ["locals {", '  s0 = "aa"', "  l0 = [1, 2]", "  m0 = { a = 1 }"]
    for level in range(1, depth + 1):
        for name, template in zip("lsm", grow * 3, strict=False):
            expression = template.format(p=level - 1, i=level)
            lines.append(f"  {name}{level} = {expression}")
        for name in "lsm":
            if not any(line.startswith(f"  {name}{level} ") for line in lines):
                lines.append(f"  {name}{level} = local.{name}{level - 1}")
    lines.append("}")
    lines.append(
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n'
        f"  tags = {{ l = local.l{depth}, s = local.s{depth}, m = local.m{depth} }}\n}}"
    )
    return "\n".join(lines) + "\n"


@SETTINGS
@given(HCL_TEXT)
def test_hcl_parser_never_raises(text: str) -> None:
    outcome = parse_outcome(text, False)
    assert (outcome.data is None) != (outcome.error is None)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(HCL_TEXT, doubling_locals()))
def test_terraform_loader_raises_nothing_and_every_value_is_within_the_cap(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "main.tf").write_text(text, encoding="utf-8")
        result = load_terraform(Path(folder), cache_dir=None, jobs=1)
    assert all(isinstance(e, ScanError) for e in [*result.errors, *result.warnings])
    for resource in result.resources:
        try:
            check_size(resource.attributes)
        except ValueTooLarge as exc:  # pragma: no cover - the property failing
            raise AssertionError(f"{resource.id}: {exc}") from exc


def test_yaml_module_is_the_safe_one() -> None:
    """The fuzzed tag `!!python/object:os.system` must be refused, never constructed."""
    try:
        load_yaml_text("!!python/object:os.system 'true'", "tag.yaml")
    except YamlFileError:
        return
    raise AssertionError("a python tag was constructed")  # pragma: no cover


assert yaml.__name__ == "yaml"
