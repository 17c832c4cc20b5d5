"""A live scan's orchestration: accounts x regions x collectors on a bounded pool, then normalize.

Fetch and judge stay apart: `collect_aws` returns the raw, redacted `RawService`s (what a
snapshot stores) plus the collection errors; `normalize_collection` turns raw services into
canonical resources, whether they come from a live run or from a snapshot file.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import boto3

from scanner.core.model import Resource, ScanError, ScanWarning
from scanner.core.redaction import redact
from scanner.sources.aws.collector import CallError, Collector, RawService
from scanner.sources.aws.collectors import collectors_by_name, select_collectors
from scanner.sources.aws.organization import organization_role_arns
from scanner.sources.aws.recorder import CollectionLog, Recorder, error_details
from scanner.sources.aws.response_guard import ScanDeadline, reject_garbage_json
from scanner.sources.aws.session import (
    GLOBAL,
    AccountTarget,
    ClientFactory,
    ClientSettings,
    EventHandler,
    TargetError,
    assume_role,
    base_session,
    discover_regions,
    identify,
)
from scanner.sources.aws.sharding import Shard

Progress = Callable[[int, int, str], None]  # (done, total, what just finished)
DEFAULT_WORKERS = 16
# docs/aws.md and docs/security.md: a scan sends no request after this many seconds.
DEFAULT_DEADLINE = 3600.0


@dataclass(frozen=True)
class AccountInfo:
    account: str
    caller_arn: str
    role_arn: str | None
    regions: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "account": self.account,
            "caller_arn": self.caller_arn,
            "role_arn": self.role_arn,
            "regions": list(self.regions),
        }


@dataclass
class AwsCollection:
    """Everything a live collection produced: the unit `snapshot.save` writes."""

    raw_services: list[RawService]
    call_errors: list[tuple[str, CallError]]  # (account, error)
    setup_errors: list[ScanError]  # accounts that could not be reached at all
    accounts: list[AccountInfo]
    started_at: datetime
    finished_at: datetime
    requests: int = 0
    requests_by_operation: dict[str, int] = field(default_factory=dict)

    @property
    def regions(self) -> list[str]:
        return sorted({region for info in self.accounts for region in info.regions})

    def scan_errors(self) -> list[ScanError]:
        return [*self.setup_errors, *call_errors_as_scan_errors(self.call_errors)]


@dataclass
class LoadedAws:
    """What `ScanSession.finish` needs (the LoadedInventory protocol)."""

    resources: list[Resource]
    errors: list[ScanError]
    warnings: list[ScanWarning] = field(default_factory=list)
    files_scanned: int = 0
    context: dict[str, Any] = field(default_factory=dict)  # provenance for the report


class CollectionLike(Protocol):
    """A live collection or a loaded snapshot (whose times are already ISO strings)."""

    accounts: list[AccountInfo]
    requests: int

    @property
    def regions(self) -> list[str]: ...


def _iso(moment: object) -> str:
    return moment.isoformat() if isinstance(moment, datetime) else str(moment)


def collection_context(collection: CollectionLike) -> dict[str, Any]:
    """Who collected what, where and when: the report's (and the evidence bundle's) provenance."""
    return {
        "aws": {
            "accounts": [info.to_dict() for info in collection.accounts],
            "regions": collection.regions,
            "collection_started_at": _iso(getattr(collection, "started_at", "")),
            "collection_finished_at": _iso(getattr(collection, "finished_at", "")),
            "api_requests": collection.requests,
        }
    }


def call_errors_as_scan_errors(errors: Iterable[tuple[str, CallError]]) -> list[ScanError]:
    """`<service>:<Operation> <region>` / `<code>: <message>`; the account is named only when
    the scan spans several, to keep single-account reports terse."""
    pairs = list(errors)
    several = len({account for account, _ in pairs}) > 1
    out = []
    for account, error in pairs:
        message = f"{error.code}: {error.message}"
        if several:
            message += f" (account {account})"
        out.append(ScanError(f"{error.service}:{error.operation} {error.region}", message))
    return out


def _install(session: boto3.Session, handlers: Sequence[EventHandler]) -> None:
    # Handlers on the session reach every client created from it afterwards (botocore copies
    # the session's emitter into each client), STS and region discovery included.
    for event, handler in handlers:
        session.events.register(event, handler)


def _targets(
    profile: str | None,
    role_arns: Sequence[str],
    settings: ClientSettings,
    handlers: Sequence[EventHandler],
    errors: list[ScanError],
    organization_role: str | None = None,
) -> list[AccountTarget]:
    base = base_session(profile)
    _install(base, handlers)
    if organization_role is not None:
        try:
            caller = identify(base, settings)
            listed = organization_role_arns(base, organization_role, settings, caller.caller_arn)
        except TargetError as exc:
            errors.append(ScanError(exc.target, f"{exc.code}: {exc.message}"))
            return []
        if not listed:  # never fall back to scanning only the caller's own account
            errors.append(
                ScanError("organizations:ListAccounts", "the organization lists no active account")
            )
            return []
        role_arns = sorted({*role_arns, *listed})
    if not role_arns:
        try:
            return [identify(base, settings)]
        except TargetError as exc:
            errors.append(ScanError(exc.target, f"{exc.code}: {exc.message}"))
            return []
    targets = []
    for role_arn in role_arns:  # one unreachable account must not stop the others
        try:
            assumed = assume_role(base, role_arn, settings)
            _install(assumed, handlers)
            targets.append(identify(assumed, settings, role_arn))
        except TargetError as exc:
            errors.append(ScanError(exc.target, f"{exc.code}: {exc.message}"))
    return targets


def _resolve_regions(
    target: AccountTarget, regions: Sequence[str], settings: ClientSettings
) -> ScanError | None:
    if regions:
        target.regions = sorted(set(regions))
        return None
    target.regions, failure = discover_regions(target, settings)
    if failure is None:
        return None
    code, message = failure
    return ScanError(
        f"ec2:DescribeRegions {target.home_region}",
        f"{code}: {message}; only {target.home_region} was scanned in account {target.account}",
    )


def _run_collector(
    collector: Collector, factory: ClientFactory, recorder: Recorder, region: str
) -> RawService:
    account = recorder.account
    try:
        data = collector.collect(factory, recorder, account, region)
    except Exception as exc:  # a broken collector must not stop the others
        error = CallError(collector.name, "collect", region, *error_details(exc))
        recorder.log.add_error(account, error)
        data = error.as_marker()
    return RawService(collector.name, account, region, redact(data))


def collect_aws(
    *,
    profile: str | None = None,
    regions: Sequence[str] = (),
    role_arns: Sequence[str] = (),
    services: Sequence[str] | None = None,
    max_workers: int = DEFAULT_WORKERS,
    settings: ClientSettings | None = None,
    event_handlers: Sequence[EventHandler] = (),
    progress: Progress | None = None,
    deadline: float | ScanDeadline | None = DEFAULT_DEADLINE,
    shard: Shard | None = None,
    organization_role: str | None = None,
) -> AwsCollection:
    """Collect every selected service in every account and region.

    `event_handlers` are (botocore event, handler) pairs registered on every session before any
    client exists (tests record operation names with them, the bench adds latency). After
    `deadline` seconds every request still to send fails at once, as a collection error naming
    the call (None: no deadline).
    """
    started_at = datetime.now(UTC)
    collectors = select_collectors(list(services) if services else None)
    settings = settings or ClientSettings()
    # Each client may serve an outer worker and fan-out workers at once.
    settings = dataclasses.replace(
        settings, max_pool_connections=max(settings.max_pool_connections, 2 * max_workers)
    )
    log = CollectionLog()
    guards: list[EventHandler] = [("before-parse", reject_garbage_json)]
    if deadline is not None:
        clock = deadline if isinstance(deadline, ScanDeadline) else ScanDeadline(deadline)
        guards.insert(0, ("before-send", clock))
    handlers = [*guards, ("before-send", log.count_request), *event_handlers]
    setup_errors: list[ScanError] = []
    targets = _targets(profile, role_arns, settings, handlers, setup_errors, organization_role)

    raw: list[RawService] = []
    lock = threading.Lock()
    with (
        ThreadPoolExecutor(max_workers, thread_name_prefix="comply-aws") as pool,
        ThreadPoolExecutor(max_workers, thread_name_prefix="comply-aws-fanout") as fanout,
    ):
        # Region discovery runs concurrently across accounts too.
        for failure in pool.map(lambda t: _resolve_regions(t, regions, settings), targets):
            if failure is not None:
                setup_errors.append(failure)
        futures = []
        mine = _shard_pairs(targets, shard)
        for target in targets:
            factory = ClientFactory(target.session, settings)
            recorder = Recorder(log, target.account, fanout)
            for collector in collectors:
                scopes = [GLOBAL] if collector.scope == "global" else target.regions
                for region in scopes:
                    if mine is not None and (target.account, region) not in mine:
                        continue  # another shard's
                    futures.append(
                        pool.submit(_run_collector, collector, factory, recorder, region)
                    )
        for done, future in enumerate(as_completed(futures), start=1):
            service = future.result()
            with lock:
                raw.append(service)
            if progress is not None:
                progress(done, len(futures), f"{service.service} {service.region}")

    raw.sort(key=lambda s: (s.account, s.service, s.region))
    accounts = [AccountInfo(t.account, t.caller_arn, t.role_arn, tuple(t.regions)) for t in targets]
    return AwsCollection(
        raw_services=raw,
        call_errors=log.errors(),
        setup_errors=setup_errors,
        accounts=accounts,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        requests=log.requests,
        requests_by_operation=log.requests_by_operation(),
    )


def _shard_pairs(
    targets: Sequence[AccountTarget], shard: Shard | None
) -> set[tuple[str, str]] | None:
    """This shard's (account, region) pairs, or None when the scan is not sharded."""
    if shard is None:
        return None
    pairs = [(t.account, region) for t in targets for region in [GLOBAL, *t.regions]]
    return shard.select(pairs)


def normalize_collection(
    raw_services: Iterable[RawService], errors: list[ScanError] | None = None
) -> list[Resource]:
    """Canonical resources from raw services, live or from a snapshot: the same code either way.

    A normalizer that raises, or a service no collector knows (a snapshot from a newer comply),
    is reported in `errors` (when given) and the other services still normalize.
    """
    available = collectors_by_name()
    resources: list[Resource] = []
    for service in raw_services:
        target = f"{service.service} {service.region} ({service.account})"
        collector = available.get(service.service)
        if collector is None:
            if errors is not None:
                errors.append(ScanError(target, "no collector of this name to normalize it"))
            continue
        if isinstance(service.data, dict) and "__error__" in service.data:
            continue  # the collector itself failed; its error is already in the report
        try:
            resources.extend(collector.normalize(service))
        except Exception as exc:  # one broken normalizer must not lose the other services
            if errors is not None:
                errors.append(ScanError(target, f"normalizer failed: {type(exc).__name__}: {exc}"))
    resources.sort(key=lambda r: (r.type, r.id))
    return resources
