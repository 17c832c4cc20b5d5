"""Control characters from the input never reach a terminal, a CI log or a PR comment: a
newline + `::error` in an object name cannot forge a GitHub workflow command, and ESC/OSC
sequences and bidi overrides are printed as visible escapes, in every text format."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.core.control_chars import neutralise_controls
from tests.conftest import FIXTURES, run_comply

HOSTILE = FIXTURES / "hostile_names" / "objects.yaml"
FORMATS = ("console", "json", "sarif", "junit", "markdown", "github", "gitlab")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("hostile")
    texts = {}
    for fmt in FORMATS:
        result = run_comply("scan", "kubernetes", HOSTILE, "-o", fmt)
        assert result.exit_code in (0, 1), result.stderr
        texts[fmt] = result.stdout
        texts[f"{fmt} stderr"] = result.stderr
    del out
    return texts


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_control_character_in_any_format(outputs: dict[str, str], fmt: str) -> None:
    for text in (outputs[fmt], outputs[f"{fmt} stderr"]):
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
        assert "\u202e" not in text and "\r" not in text


@pytest.mark.parametrize("fmt", ["console", "github", "markdown"])
def test_no_forged_workflow_command(outputs: dict[str, str], fmt: str) -> None:
    lines = outputs[fmt].splitlines()
    assert not any(line.startswith("::error file=README.md") for line in lines)
    assert not any(line.startswith("::warning::injected") for line in lines)
    assert "forged annotation" in outputs[fmt]  # still shown, as text, on the same line


def test_json_keeps_the_name_readable(outputs: dict[str, str]) -> None:
    ids = {f["resource"]["id"] for f in json.loads(outputs["json"])["findings"]}
    assert any("evil\\n::error file=README.md::forged annotation" in i for i in ids)
    assert any("\\x1b]0;pwned\\x07" in i for i in ids)


@given(st.text())
def test_neutralised_text_has_no_control_character(text: str) -> None:
    out = neutralise_controls(text)
    assert not any(
        (ord(c) < 0x20 and c != "\t") or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029\u202e"
        for c in out
    )
    if all(c.isprintable() or c == "\t" for c in text):
        assert out == text
