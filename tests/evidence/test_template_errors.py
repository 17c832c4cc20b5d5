"""A user's evidence template with an unknown variable: the error names the template and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.evidence.errors import EvidenceError
from scanner.evidence.pages import _render, template_environment


def test_undefined_variable_names_template_and_line(tmp_path: Path) -> None:
    (tmp_path / "index.md.j2").write_text("# {{ title }}\n\nfine\n{{ no_such_value }}\n")
    environment = template_environment(tmp_path)
    with pytest.raises(EvidenceError) as raised:
        _render(environment, "index.md.j2", title="t")
    message = str(raised.value)
    assert "index.md.j2" in message and "line 4" in message
    assert "no_such_value" in message


def test_syntax_error_names_template_and_line(tmp_path: Path) -> None:
    (tmp_path / "index.md.j2").write_text("ok\n{% if %}\n")
    with pytest.raises(EvidenceError, match=r"index\.md\.j2 line 2"):
        _render(template_environment(tmp_path), "index.md.j2")
