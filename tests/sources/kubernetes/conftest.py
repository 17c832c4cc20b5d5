from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.core.model import Resource
from scanner.sources.kubernetes import KubernetesLoadResult, load_kubernetes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "kubernetes_source"


@pytest.fixture
def load() -> Callable[..., KubernetesLoadResult]:
    def _load(*names: str, **kwargs: object) -> KubernetesLoadResult:
        return load_kubernetes([FIXTURES / name for name in names], **kwargs)  # type: ignore[arg-type]

    return _load


@pytest.fixture
def by_id() -> Callable[[KubernetesLoadResult], dict[str, Resource]]:
    def _by_id(result: KubernetesLoadResult) -> dict[str, Resource]:
        return {resource.id: resource for resource in result.resources}

    return _by_id
