"""Inventory checks may answer NotJudged: no finding at all (neither pass nor unknown), and one
warning per check and reason, unless the answer says the check does not concern the resource."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence

from scanner.core.engine import evaluate
from scanner.core.model import Location, NotJudged, Resource, Result
from scanner.core.registry import Registry, check, specs_in_module

OUT_OF_REACH = NotJudged("the input cannot show it")
NOT_CONCERNED = NotJudged("outside the check's scope", warn=False)


def _table(name: str) -> Resource:
    return Resource(
        type="aws_dynamodb_table",
        id=f"aws_dynamodb_table.{name}",
        source="terraform",
        location=Location(file="main.tf"),
        attributes={},
    )


@check(
    id="sample_inventory_not_judged",
    title="test",
    severity="low",
    resource_types=["aws_dynamodb_table"],
    scope="inventory",
)
def sample_inventory_not_judged(
    resources: Sequence[Resource],
) -> Iterator[tuple[Resource, Result | NotJudged]]:
    """Test check.

    Remediation: none.
    """
    answers = {"a": Result.passed("judged"), "b": OUT_OF_REACH, "c": OUT_OF_REACH}
    for resource in resources:
        yield resource, answers.get(resource.id.rpartition(".")[2], NOT_CONCERNED)


def test_not_judged_makes_no_finding_and_one_warning_per_reason() -> None:
    registry = Registry()
    for spec in specs_in_module(sys.modules[__name__]):
        registry.add(spec)
    tables = [_table(name) for name in ("a", "b", "c", "d")]
    evaluation = evaluate(tables, list(registry), registry)
    assert [(f.resource.id, f.status.value) for f in evaluation.findings] == [
        ("aws_dynamodb_table.a", "pass")
    ]
    assert [(w.target, w.message) for w in evaluation.warnings] == [
        ("sample_inventory_not_judged", "2 resources not judged: the input cannot show it")
    ]
