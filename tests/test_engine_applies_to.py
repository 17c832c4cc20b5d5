"""A check's `applies_to` predicate: the resources it does not concern get no finding at all."""

from __future__ import annotations

from scanner.core.engine import evaluate
from scanner.core.model import Location, Resource, Result
from scanner.core.registry import Registry, check, specs_in_module


def _pod(name: str, component: str | None) -> Resource:
    return Resource(
        type="kubernetes_pod",
        id=f"Pod/kube-system/{name}",
        source="kubernetes",
        location=Location(file="pods.yaml"),
        attributes={"component": component},
    )


def _is_apiserver(resource: Resource) -> bool:
    if resource.get("component") == "broken":
        raise ValueError("cannot tell")
    return resource.get("component") == "kube-apiserver"


@check(
    id="k8s_test_apiserver_flag",
    title="test",
    severity="low",
    resource_types=["kubernetes_pod"],
    applies_to=_is_apiserver,
)
def k8s_test_apiserver_flag(pod: Resource) -> Result:
    """Test check.

    Remediation: none.
    """
    return Result.passed("judged")


def test_only_resources_the_check_applies_to_get_findings() -> None:
    import sys

    registry = Registry()
    for spec in specs_in_module(sys.modules[__name__]):
        registry.add(spec)
    pods = [_pod("apiserver", "kube-apiserver"), _pod("nginx", None), _pod("odd", "broken")]
    findings = evaluate(pods, list(registry), registry).findings
    # The predicate that raised keeps its resource: never silently out of the population.
    assert {f.resource.id for f in findings} == {"Pod/kube-system/apiserver", "Pod/kube-system/odd"}
