"""Helm: charts are rendered with helm or skipped whole; loose templates are skipped with the
command to run; `helm template` output is mapped back to its templates."""

from __future__ import annotations

from scanner.sources.kubernetes import load_kubernetes
from tests.sources.kubernetes.conftest import FIXTURES

RENDER_FIRST = "a template, not a manifest: render it first"


def test_template_outside_a_chart_that_breaks_yaml_is_skipped_with_the_command(load, by_id):
    result = load("loose")
    assert result.errors == []
    [skipped] = result.skipped
    assert (skipped.target, skipped.category) == ("template.yaml", "template")
    assert skipped.reason.startswith(RENDER_FIRST) and "line 5" in skipped.reason
    # Go templates inside the *data* of a valid manifest are values, not a chart: loaded.
    assert list(by_id(result)) == ["ConfigMap/monitoring/alertmanager-templates"]


def test_a_chart_template_named_on_the_command_line_is_skipped_even_when_valid_yaml():
    path = FIXTURES / "chart" / "api" / "templates" / "service.yaml"
    result = load_kubernetes([path])
    assert result.resources == [] and result.errors == []
    assert [(s.target, s.category) for s in result.skipped] == [("service.yaml", "template")]


def test_source_comments_of_helm_template_output(load):
    result = load("helm_output")
    assert result.errors == []
    assert [
        (r.id, r.attributes["helm_source"], r.location.start_line, r.location.end_line)
        for r in result.resources
    ] == [
        ("ServiceAccount/payments/release-api", "api/templates/serviceaccount.yaml", 3, 7),
        ("Service/payments/release-api", "api/templates/service.yaml", 10, 17),
        ("Deployment/payments/release-api", "api/templates/deployment.yaml", 20, 30),
    ]


def test_source_comments_from_stdin():
    text = (FIXTURES / "helm_output" / "rendered.yaml").read_text()
    result = load_kubernetes([], stdin_text=text)
    assert result.errors == []
    assert {r.location.file for r in result.resources} == {"<stdin>"}
    assert [r.attributes["helm_source"] for r in result.resources] == [
        "api/templates/serviceaccount.yaml",
        "api/templates/service.yaml",
        "api/templates/deployment.yaml",
    ]
    assert result.files_scanned == 1


def test_a_source_comment_does_not_carry_over_to_the_next_object():
    text = (
        "# Source: api/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
    )
    result = load_kubernetes([], stdin_text=text)
    assert [r.attributes.get("helm_source") for r in result.resources] == [
        "api/templates/a.yaml",
        None,
    ]


def test_unrendered_template_on_stdin():
    text = (FIXTURES / "loose" / "template.yaml").read_text()
    result = load_kubernetes([], stdin_text=text)
    assert result.errors == []
    assert [(s.target, s.category) for s in result.skipped] == [("<stdin>", "template")]
    assert "line 5" in result.skipped[0].reason
