"""Expression text from our python-hcl2 transformer evaluates to what Terraform would compute.

python-hcl2 7.3.1's own transformer lost the quotes of strings inside lists inside calls, wrote
`null` as `None`, objects inside conditionals as Python reprs, heredocs inside calls unescaped and
dropped the `...` of an expanded argument. docs/decisions.md records why we fix it here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.core.model import is_unknown
from scanner.sources.terraform.config import ModuleConfig
from scanner.sources.terraform.hcl_transformer import loads
from scanner.sources.terraform.resolve import ModuleInstance


def _locals(tmp_path: Path, body: str) -> dict[str, Any]:
    """Parse `locals { body }` with our transformer and evaluate every local."""
    config = ModuleConfig(tmp_path)
    config.add_file("main.tf", loads(f"locals {{\n{body}\n}}\n"))
    instance = ModuleInstance(config, "", None, [])
    return {name: instance.local(name) for name in config.locals}


def test_quoted_strings_inside_calls_lists_and_for_expressions(tmp_path: Path) -> None:
    values = _locals(
        tmp_path,
        '  env = "prod"\n'
        '  in_list = contains(["prod", "stage"], local.env)\n'
        '  templates = concat(["${local.env}/*"], ["b"])\n'
        '  fors = [for s in ["a", "b"] : "${s}-x" if s != "b"]\n'
        '  maps = { for k, v in { a = "1" } : k => "arn:${v}" }\n'
        '  nulls = concat(["a", null], [])\n'
        '  cond = local.env == "prod" ? { a = ["x"] } : {}\n'
        '  nested = merge({ "k" = "v" }, { "${local.env}-k" = "w" })\n'
        '  expand = concat([["a"], ["b", "c"]]...)\n'
        '  escaped = replace("a\\\\b", "\\\\", "/")\n',
    )
    assert values["in_list"] is True
    assert values["templates"] == ["prod/*", "b"]
    assert values["fors"] == ["a-x"]
    assert values["maps"] == {"a": "arn:1"}
    assert values["nulls"] == ["a", None]
    assert values["cond"] == {"a": ["x"]}
    assert values["nested"] == {"k": "v", "prod-k": "w"}
    assert values["expand"] == ["a", "b", "c"]
    assert values["escaped"] == "a/b"


def test_heredocs_inside_calls_and_alone(tmp_path: Path) -> None:
    values = _locals(
        tmp_path,
        '  who = "x"\n'
        "  decoded = jsondecode(<<EOT\n"
        '{"a": "${local.who}", "quote": "say \\"hi\\""}\n'
        "EOT\n"
        "  )\n"
        "  trimmed = <<-EOT\n"
        "    one\n"
        "      two ${local.who}\n"
        "    EOT\n",
    )
    assert values["decoded"] == {"a": "x", "quote": 'say "hi"'}
    assert values["trimmed"] == "one\n  two x"


def test_unknown_stays_unknown_inside_expressions(tmp_path: Path) -> None:
    values = _locals(tmp_path, '  u = contains(["a"], var.nope)\n')
    assert is_unknown(values["u"])


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.text(alphabet=st.characters(codec="ascii", exclude_characters="\x00"), max_size=8),
)
_KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True), children, max_size=4
        ),
    ),
    max_leaves=12,
)


def _hcl(value: Any) -> str:
    """HCL literal syntax for a JSON-like value (strings escaped, `$${` for a literal `${`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
        text = "".join(escapes.get(c, c if ord(c) >= 0x20 else f"\\u{ord(c):04x}") for c in value)
        return '"' + text.replace("${", "$${").replace("%{", "%%{") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {_hcl(v)}" for k, v in value.items()) + "}"


@settings(max_examples=60, deadline=None)
@given(_VALUES)
def test_any_literal_inside_a_call_round_trips(value: Any) -> None:
    """tolist([value]) inside an expression evaluates to exactly [value]."""
    parsed = loads(f"locals {{\n  x = tolist([{_hcl(value)}])\n}}\n")
    raw = parsed["locals"][0]["x"]
    instance = ModuleInstance(ModuleConfig(Path(".")), "", None, [])
    assert instance.resolve(raw) == [value]


def test_module_default_idioms(tmp_path: Path) -> None:
    """The try()/coalesce()/lookup() defaulting that module code is made of."""
    values = _locals(
        tmp_path,
        "  obj = { a = 1 }\n"
        "  none = null\n"
        '  tried = try(local.obj.missing, "default")\n'
        "  can_missing = can(local.obj.missing)\n"
        '  coalesced = coalesce(local.none, "", "x")\n'
        '  looked = lookup(local.obj, "b", 2)\n'
        "  merged = merge(local.obj, { b = 2 }, null)\n"
        '  flat = flatten([["a"], [["b"]], []])\n'
        '  round = jsondecode(jsonencode({ a = [1, "x", null] }))\n'
        '  cond = local.none == null ? "absent" : "set"\n'
        '  splat = [{ id = "i" }, { id = "j" }][*].id\n'
        '  picked = { prod = "p", dev = "d" }["dev"]\n'
        '  first = ["x", "y"][0]\n'
        "  attr = { a = { b = 3 } }.a.b\n",
    )
    assert values["tried"] == "default"
    assert values["can_missing"] is False
    assert values["coalesced"] == "x"
    assert values["looked"] == 2
    assert values["merged"] == {"a": 1, "b": 2}
    assert values["flat"] == ["a", "b"]
    assert values["round"] == {"a": [1, "x", None]}
    assert values["cond"] == "absent"
    assert values["splat"] == ["i", "j"]
    assert values["picked"] == "d"
    assert values["first"] == "x"
    assert values["attr"] == 3


_TEMPLATE_PIECES = st.sampled_from(
    [
        "${",
        "}",
        "%{",
        "if ",
        "else",
        "endif",
        "for x in [1]",
        "endfor",
        "~",
        '"',
        "\\",
        "$${",
        "%%{",
        "<<EOT\n",
        "\nEOT\n",
        "a",
        " ",
        "\n",
        "var.x",
        "[",
        "]",
        ":",
        "?",
        "...",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEMPLATE_PIECES, max_size=16).map("".join))
def test_any_template_text_parses_or_is_unsupported(text: str) -> None:
    """Arbitrary text never raises out of the template compiler: a node, or "unsupported"."""
    from scanner.sources.terraform.syntax import compile_string

    node = compile_string(text)
    assert isinstance(node, tuple) and isinstance(node[0], str)
    instance = ModuleInstance(ModuleConfig(Path(".")), "", None, [])
    instance.resolve(text)  # evaluating it never raises either
