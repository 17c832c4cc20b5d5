"""Helm: unrendered templates are one clear error each; `helm template` output is mapped back."""

from __future__ import annotations

from scanner.sources.kubernetes import load_kubernetes
from tests.sources.kubernetes.conftest import FIXTURES

RENDER_FIRST = "Helm template: render first with `helm template`"


def test_chart_templates_are_one_clear_error_per_file(load):
    result = load("chart")
    assert result.resources == []
    assert [(e.target, e.line) for e in result.errors] == [
        ("api/templates/deployment.yaml", 4),
        ("api/templates/service.yaml", 4),  # valid YAML, but a template all the same
    ]
    assert all(e.message.startswith(RENDER_FIRST) for e in result.errors)
    assert result.warnings == []
    # Chart.yaml and values.yaml are not objects: skipped, counted, no noise.
    assert result.files_scanned == 4 and result.files_skipped == 2


def test_template_outside_a_chart_that_breaks_yaml(load, by_id):
    result = load("loose")
    assert [(e.target, e.line) for e in result.errors] == [("template.yaml", 5)]
    assert result.errors[0].message.startswith(RENDER_FIRST)
    # Go templates inside the *data* of a valid manifest are values, not a chart: loaded.
    assert list(by_id(result)) == ["ConfigMap/monitoring/alertmanager-templates"]


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
    assert [(e.target, e.line) for e in result.errors] == [("<stdin>", 5)]
    assert result.errors[0].message.startswith(RENDER_FIRST)
