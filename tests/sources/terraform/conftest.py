from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.core.model import Resource
from scanner.sources.terraform import TerraformLoadResult, load_terraform

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "terraform_source"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def by_id() -> Callable[[TerraformLoadResult], dict[str, Resource]]:
    def _by_id(result: TerraformLoadResult) -> dict[str, Resource]:
        return {resource.id: resource for resource in result.resources}

    return _by_id


@pytest.fixture
def load() -> Callable[..., TerraformLoadResult]:
    def _load(name: str, **kwargs: object) -> TerraformLoadResult:
        return load_terraform(FIXTURES / name, **kwargs)  # type: ignore[arg-type]

    return _load
