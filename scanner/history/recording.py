"""Writing a run: a shard announces itself when its scan starts, and reports its findings and
population in one transaction when it ends.

Findings are keyed by `scanner.core.model.fingerprint` (check id + resource id, no line): a
finding keeps its key when its block moves or the files are re-ordered. Everything stored passes
through `scanner.core.redaction` first.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from scanner.compliance.results import ScanReport
from scanner.core.model import Finding, Location, Resource, Status
from scanner.core.redaction import redact
from scanner.history import schema
from scanner.history.bulk import insert_rows
from scanner.history.json_values import to_json
from scanner.history.model import COMPLETE, RUNNING, ShardHandle, ShardStart
from scanner.history.runs import previous_complete_run, run_info
from scanner.history.store import HistoryStore, StoreError

# When one fingerprint occurs twice in a shard (the same object in two manifests), the worse
# status is kept: a failure is never hidden behind a pass.
_STATUS_WEIGHT = {
    Status.FAIL: 5,
    Status.ERROR: 4,
    Status.UNKNOWN: 3,
    Status.PASS: 2,
    Status.SKIPPED: 1,
}
MAX_STORED_ERRORS = 1000


class RunConflictError(StoreError):
    """A shard does not fit the run it names (another scope, another shard count, reported)."""


def new_run_id(moment: datetime) -> str:
    """Sortable and unique: `20261202T030000Z-3f9a1c2e`."""
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def begin_shard(store: HistoryStore, start: ShardStart) -> ShardHandle:
    """Record that a shard started; its run is created by the first shard that arrives."""
    run_id = start.run_id or new_run_id(start.started_at)
    if not 0 <= start.shard_index < start.shard_total:
        raise ValueError(f"shard index {start.shard_index} outside 0..{start.shard_total - 1}")

    def work(connection: Connection) -> ShardHandle:
        _ensure_run(connection, run_id, start)
        existing = connection.execute(
            sa.select(schema.run_shards.c.status).where(
                schema.run_shards.c.run_id == run_id,
                schema.run_shards.c.shard_index == start.shard_index,
            )
        ).scalar_one_or_none()
        if existing == COMPLETE:
            raise RunConflictError(
                f"shard {start.shard_index + 1}/{start.shard_total} of run {run_id} has "
                "already reported; runs are append-only (use a new --run-id)"
            )
        values = _shard_values(start)
        if existing is None:
            connection.execute(
                sa.insert(schema.run_shards).values(
                    run_id=run_id, shard_index=start.shard_index, **values
                )
            )
        else:  # a retry of a shard that crashed before reporting (a Job's pod restarted)
            connection.execute(
                sa.update(schema.run_shards)
                .where(
                    schema.run_shards.c.run_id == run_id,
                    schema.run_shards.c.shard_index == start.shard_index,
                )
                .values(**values)
            )
        return ShardHandle(run_id, start.shard_index, start.shard_total, start.scope)

    return store.write(work)


def _shard_values(start: ShardStart) -> dict[str, Any]:
    return {
        "status": RUNNING,
        "started_at": start.started_at,
        "finished_at": None,
        "tool_version": start.tool_version,
        "arguments": to_json(start.arguments),
        "targets": to_json(start.targets),
        "accounts": "[]",
        "regions": "[]",
        "commit": start.commit,
        "operator_user": start.operator.user,
        "operator_host": start.operator.host,
        "ci_run_url": start.operator.ci_run_url,
    }


def _ensure_run(connection: Connection, run_id: str, start: ShardStart) -> None:
    row = connection.execute(
        sa.select(schema.runs.c.scope, schema.runs.c.shard_total).where(
            schema.runs.c.run_id == run_id
        )
    ).one_or_none()
    if row is None:
        insert = _insert_ignoring_duplicates(connection).values(
            run_id=run_id,
            scope=start.scope,
            source=start.source,
            shard_total=start.shard_total,
            created_at=start.started_at,
        )
        connection.execute(insert)
        row = connection.execute(
            sa.select(schema.runs.c.scope, schema.runs.c.shard_total).where(
                schema.runs.c.run_id == run_id
            )
        ).one()
    if row.scope != start.scope or row.shard_total != start.shard_total:
        raise RunConflictError(
            f"run {run_id} is a run of {row.scope!r} in {row.shard_total} shard(s); this scan "
            f"is {start.scope!r} in {start.shard_total}: give every shard the same arguments"
        )


def _insert_ignoring_duplicates(connection: Connection) -> Any:
    """INSERT that does nothing when another shard created the run a moment earlier."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(schema.runs).on_conflict_do_nothing(index_elements=["run_id"])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(schema.runs).on_conflict_do_nothing(index_elements=["run_id"])


@dataclass(frozen=True)
class ShardReport:
    """What a finished shard adds to the store besides its findings."""

    finished_at: datetime
    accounts: list[str]
    regions: list[str]


def complete_shard(
    store: HistoryStore, handle: ShardHandle, report: ScanReport, extra: ShardReport
) -> bool:
    """Store the shard's findings and population; True when this made its run complete."""
    finding_rows = _finding_rows(handle, report.findings)
    resource_rows = _resource_rows(handle, report.inventory)

    def work(connection: Connection) -> bool:
        status = connection.execute(
            sa.select(schema.run_shards.c.status).where(
                schema.run_shards.c.run_id == handle.run_id,
                schema.run_shards.c.shard_index == handle.shard_index,
            )
        ).scalar_one_or_none()
        if status != RUNNING:
            raise RunConflictError(
                f"shard {handle.shard_index + 1}/{handle.shard_total} of run {handle.run_id} "
                f"is {status or 'missing'}, not running: it cannot report again"
            )
        _set_failing_since(connection, handle, finding_rows, report.started_at)
        insert_rows(connection, schema.findings, finding_rows)
        insert_rows(connection, schema.resources, resource_rows)
        connection.execute(
            sa.update(schema.run_shards)
            .where(
                schema.run_shards.c.run_id == handle.run_id,
                schema.run_shards.c.shard_index == handle.shard_index,
            )
            .values(
                status=COMPLETE,
                finished_at=extra.finished_at,
                accounts=to_json(sorted(set(extra.accounts))),
                regions=to_json(sorted(set(extra.regions))),
                summary=to_json(report.summary()),
                errors=to_json(_errors(report)),
                context=to_json(redact(report.context)),
            )
        )
        return run_info(connection, handle.run_id).complete

    return store.write(work)


def _errors(report: ScanReport) -> list[dict[str, Any]]:
    return [redact(error.to_dict()) for error in report.errors[:MAX_STORED_ERRORS]]


def _set_failing_since(
    connection: Connection,
    handle: ShardHandle,
    rows: list[list[Any]],
    started_at: datetime,
) -> None:
    """A failure that also failed in the previous complete run of the scope keeps that run's
    start of the streak; any other failure starts its streak now."""
    previous = previous_complete_run(connection, handle.scope, before_run=handle.run_id)
    since: dict[str, datetime] = {}
    if previous is not None:
        query = (
            sa.select(schema.findings.c.fingerprint, schema.findings.c.failing_since)
            .where(schema.findings.c.run_id == previous, schema.findings.c.status == "fail")
            .execution_options(yield_per=20_000)
        )
        for fingerprint, moment in connection.execute(query):
            if moment is not None and (fingerprint not in since or moment < since[fingerprint]):
                since[fingerprint] = moment
    for row in rows:
        if row[_STATUS] == "fail":
            row[_FAILING_SINCE] = since.get(row[_FINGERPRINT], started_at)


# Positions in a findings row (schema.findings column order).
_FINGERPRINT, _STATUS, _FAILING_SINCE = 1, 6, 12


def _finding_rows(handle: ShardHandle, findings: Iterable[Finding]) -> list[list[Any]]:
    chosen: dict[str, Finding] = {}
    for finding in findings:
        key = finding.fingerprint
        kept = chosen.get(key)
        if kept is None or _STATUS_WEIGHT[finding.status] > _STATUS_WEIGHT[kept.status]:
            chosen[key] = finding
    # Findings share their control lists and (for live resources) their locations: encode
    # each distinct one once.
    controls_text: dict[tuple[tuple[str, str], ...], str] = {}
    location_text: dict[Location, str] = {}
    rows: list[list[Any]] = []
    for key, finding in chosen.items():
        refs = tuple((c.framework, c.id) for c in finding.controls)
        controls = controls_text.get(refs)
        if controls is None:
            controls = controls_text[refs] = to_json([f"{f}:{i}" for f, i in refs])
        location = location_text.get(finding.location)
        if location is None:
            location = location_text[finding.location] = to_json(finding.location.to_dict())
        rows.append(
            [
                handle.run_id,
                key,
                handle.shard_index,
                finding.check_id,
                finding.resource.id,
                finding.resource.type,
                finding.status.value,
                finding.severity.value,
                finding.title,
                redact(finding.message),
                controls,
                location,
                None,
                finding.original_status.value
                if finding.status is Status.SKIPPED and finding.original_status is not None
                else None,
            ]
        )
    return rows


def resource_key(resource_id: str) -> str:
    return hashlib.sha256(resource_id.encode()).hexdigest()[:32]


def _resource_rows(handle: ShardHandle, resources: Iterable[Resource]) -> list[tuple[Any, ...]]:
    rows: dict[str, tuple[Any, ...]] = {}
    for resource in resources:
        key = resource_key(resource.id)
        if key in rows:
            continue
        rows[key] = (
            handle.run_id,
            handle.shard_index,
            key,
            resource.id,
            resource.type,
            resource.source,
            to_json(resource.location.to_dict()),
            to_json(redact(_json_ready(resource.attributes))),
        )
    return list(rows.values())


def _json_ready(value: Any) -> Any:
    """Mappings with string keys, so that redaction sees every key by its name."""
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    return value
