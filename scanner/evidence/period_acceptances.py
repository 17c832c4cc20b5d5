"""Risk acceptances, management responses and remediation text over a period.

* A waiver (waivers.yaml) **applied during the period** when it was in force on the date of at
  least one complete run: approved on or before that day (when `approved` is given) and not
  expired (`expires` is inclusive). Only those are listed; each with the period's exceptions its
  check and resource patterns match.
* A management response (responses.yaml) is judged on the **last day of the period**: `closed`,
  `overdue` (open and past its due date) or `open`; each with the exceptions it answers. An
  exception still open at the end of the period that no response answers is counted.
* The remediation text of every check with an exception comes from the check registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from scanner.compliance.waivers import Waiver
from scanner.core.registry import Registry
from scanner.evidence.period import ExceptionEpisode, PeriodModel, parse_instant, run_date
from scanner.evidence.responses import Response


@dataclass(frozen=True)
class PeriodWaiver:
    waiver: Waiver
    exceptions: tuple[ExceptionEpisode, ...]  # of the period, matching its patterns

    @property
    def approver(self) -> str:
        return self.waiver.approver


@dataclass(frozen=True)
class PeriodResponse:
    response: Response
    state: str  # open | overdue | closed, on the last day of the period
    exceptions: tuple[ExceptionEpisode, ...]  # of the period, that it answers

    @property
    def owner(self) -> str:
        return self.response.owner


def remediation_texts(registry: Registry, check_ids: Iterable[str]) -> dict[str, str]:
    """check id -> the registry's remediation text, for the checks that have one."""
    out: dict[str, str] = {}
    for check_id in check_ids:
        current = registry.resolve(check_id)
        spec = registry.checks.get(current) if current else None
        if spec is not None and spec.remediation:
            out[check_id] = spec.remediation
    return dict(sorted(out.items()))


def _in_force(waiver: Waiver, day: date) -> bool:
    return waiver.is_active(day) and (waiver.approved is None or waiver.approved <= day)


def last_day(period: PeriodModel) -> date:
    """The last day in the period (its end is exclusive)."""
    return (parse_instant(period.end) - timedelta(microseconds=1)).date()


def with_acceptances(
    period: PeriodModel,
    registry: Registry,
    waivers: Sequence[Waiver] = (),
    responses: Sequence[Response] = (),
) -> PeriodModel:
    """`period` with the waivers that applied, the responses and the checks' remediation text."""
    episodes = list(dict.fromkeys(e for control in period.controls for e in control.exceptions))
    days = sorted({run_date(run) for run in period.runs})
    applied = [
        PeriodWaiver(
            waiver,
            tuple(e for e in episodes if waiver.matches(e.check_id, e.resource_id)),
        )
        for waiver in waivers
        if any(_in_force(waiver, day) for day in days)
    ]
    end = last_day(period)
    answered = [
        PeriodResponse(
            response,
            response.state_on(end),
            tuple(e for e in episodes if response.matches(e.check_id, e.resource_id)),
        )
        for response in responses
    ]
    return replace(
        period,
        waivers=tuple(applied),
        responses=tuple(answered),
        remediations=remediation_texts(registry, sorted({e.check_id for e in episodes})),
    )


def response_of(period: PeriodModel, episode: ExceptionEpisode) -> PeriodResponse | None:
    """The first response (in file order) that answers `episode`."""
    return next((r for r in period.responses if episode in r.exceptions), None)


def unanswered(period: PeriodModel) -> int:
    """Exceptions still open at the end of the period that no response answers."""
    episodes = {e for control in period.controls for e in control.exceptions}
    return sum(1 for e in episodes if e.resolved is None and response_of(period, e) is None)
