"""Every check with a seeded live-AWS fixture: seed moto, collect for real, assert exact sets.

tests/fixtures/<check_id>/aws.py defines `seed(clients) -> {"pass": [ids], "fail": [ids]}`
(optionally "unknown"), creating resources on the moto server and returning their canonical
ids (ARNs). Account- or region-level singletons (the password policy, EBS encryption by default)
cannot pass and fail in one account: such a module defines `SEEDS = [seed_a, seed_b, ...]`
instead, each run on a fresh moto state; across its scenarios a check needs a pass and a fail.
A status moto cannot produce at all (root MFA: its GetAccountSummary is fixed) is declared with
its reason in `MOTO_CANNOT_SEED = {"pass": "why"}`: the seeds then need only the other side, may
not list the declared one, and the fixture's docstring names the unit test that proves it instead.
The test runs the real collection (`collect_aws`, us-east-1 only, restricted to the
collectors that produce the check's resource types) and the real engine, then compares the
statuses of the seeded ids. Resources moto creates on its own (the default VPC and security
group, ...) are not in the seed's lists and are ignored.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.registry import CheckSpec, load_registry
from scanner.sources.aws.collectors import all_collectors
from scanner.sources.aws.inventory import collect_aws, normalize_collection

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STATUSES = ("pass", "fail", "unknown")
REGISTRY = load_registry()
_SINGLETON_STATUSES: dict[str, set[str]] = {}
SEEDED = sorted(path.parent.name for path in FIXTURES.glob("*/aws.py"))


def _load_seed(check_id: str) -> ModuleType:
    path = FIXTURES / check_id / "aws.py"
    spec = importlib.util.spec_from_file_location(f"aws_seed_{check_id}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _scenarios(check_id: str) -> list[Callable[..., dict[str, list[str]]]]:
    module = _load_seed(check_id)
    seeds = getattr(module, "SEEDS", None)
    return list(seeds) if seeds is not None else [module.seed]


def _moto_cannot_seed(check_id: str) -> set[str]:
    declared = dict(getattr(_load_seed(check_id), "MOTO_CANNOT_SEED", {}))
    assert set(declared) <= {"pass", "fail"}, f"{check_id}: MOTO_CANNOT_SEED keys {set(declared)}"
    assert all(isinstance(v, str) and v for v in declared.values()), f"{check_id}: give a reason"
    assert len(declared) < 2, f"{check_id}: moto must produce at least one of pass and fail"
    return set(declared)


def _params() -> list[object]:
    params = []
    for check_id in SEEDED:
        count = len(_scenarios(check_id))
        for index in range(count):
            name = check_id if count == 1 else f"{check_id}[{index}]"
            params.append(pytest.param(check_id, index, id=name))
    return params


SCENARIOS = _params()


def _collectors_for(spec: CheckSpec) -> list[str]:
    # Context types too: a cross-resource check needs the collectors of what it reads as evidence.
    wanted = set(spec.resource_types) | set(spec.context_types)
    names = [c.name for c in all_collectors() if set(c.resource_types) & wanted]
    assert names, f"no AWS collector produces {spec.resource_types}"
    return names


def test_every_seed_names_a_check() -> None:
    assert SEEDED, "no tests/fixtures/<check_id>/aws.py found"
    unknown = [check_id for check_id in SEEDED if REGISTRY.resolve(check_id) is None]
    assert not unknown, f"aws.py seeds for checks that do not exist: {unknown}"


@pytest.mark.parametrize("check_id", SEEDED)
def test_seed_covers_pass_and_fail(check_id: str) -> None:
    """Static: run on moto by the test below; here only the declared shape is checked."""
    assert _scenarios(check_id), f"{check_id}/aws.py defines neither seed nor SEEDS"


@pytest.mark.parametrize(("check_id", "index"), SCENARIOS)
def test_check_matches_aws_seed(check_id: str, index: int, clients) -> None:
    spec = REGISTRY.checks[REGISTRY.resolve(check_id) or check_id]
    expected_raw = _scenarios(check_id)[index](clients)
    assert set(expected_raw) <= set(STATUSES), f"unexpected keys {set(expected_raw)}"
    expected = {status: set(expected_raw.get(status) or []) for status in STATUSES}
    seeded_ids = set().union(*expected.values())
    assert seeded_ids, "the seed returned no ids"
    cannot = _moto_cannot_seed(check_id)
    assert not any(expected[status] for status in cannot), f"moto produces {cannot}: drop it"
    if len(_scenarios(check_id)) == 1:
        missing_sides = [s for s in ("pass", "fail") if s not in cannot and not expected[s]]
        assert not missing_sides, "a seed needs at least one pass and one fail"
    else:
        _SINGLETON_STATUSES.setdefault(check_id, set()).update(
            status for status in STATUSES if expected[status]
        )

    collection = collect_aws(regions=["us-east-1"], services=_collectors_for(spec))
    assert not collection.scan_errors(), [e.to_dict() for e in collection.scan_errors()]
    errors: list = []
    resources = normalize_collection(collection.raw_services, errors)
    assert not errors, [e.to_dict() for e in errors]

    findings = evaluate(resources, [spec], REGISTRY).findings
    broken = [(f.resource.id, f.message) for f in findings if f.status.value == "error"]
    assert not broken, f"the check raised: {broken}"
    got: dict[str, set[str]] = {status: set() for status in STATUSES}
    for finding in findings:
        if finding.resource.id in seeded_ids and finding.status.value in got:
            got[finding.status.value].add(finding.resource.id)
    messages = {
        f.resource.id: f"{f.status.value}: {f.message}"
        for f in findings
        if f.resource.id in seeded_ids
    }
    missing = seeded_ids - set(messages)
    assert not missing, f"seeded ids without a finding (wrong id?): {sorted(missing)}; " + (
        f"ids found: {sorted(f.resource.id for f in findings)}"
    )
    assert got == expected, f"messages: {messages}"


def test_multi_scenario_seeds_cover_pass_and_fail() -> None:
    """Runs after the scenarios (pytest keeps file order): together they pass and fail."""
    for check_id in SEEDED:
        if len(_scenarios(check_id)) > 1 and check_id in _SINGLETON_STATUSES:
            needed = {"pass", "fail"} - _moto_cannot_seed(check_id)
            assert needed <= _SINGLETON_STATUSES[check_id], check_id
