"""Slack and webhook delivery against a real HTTP server on 127.0.0.1: the exact payloads,
retries with backoff on 5xx and 429, and a warning (never an exception) when delivery fails."""

from __future__ import annotations

import json

import pytest

from scanner import __version__
from scanner.history.diff import compute_diff, diff_runs, diff_to_dict
from scanner.history.runs import resolve_run
from scanner.history.store import HistoryStore
from scanner.notify import NotifyTarget, NotifyTargetError, notify, parse_target
from tests.history.factories import F, night, report
from tests.history.helpers import record

ENC = "s3_bucket_encrypted_at_rest"
ROT = "kms_key_rotation_enabled"
RDS = "rds_instance_storage_encrypted"


@pytest.fixture
def changed(tmp_path):
    """Two runs: two new failures (one critical), one resolved; a secret in a message."""
    with HistoryStore.open(str(tmp_path / "h.db")) as store:
        record(
            store,
            report(
                [
                    F(ENC, "aws_s3_bucket.logs", "pass"),
                    F(ROT, "aws_kms_key.phi", "fail", severity="medium"),
                    F(RDS, "aws_db_instance.<main>", "pass", severity="critical"),
                ],
                started=night(1),
            ),
            run_id="n1",
        )
        record(
            store,
            report(
                [
                    F(ENC, "aws_s3_bucket.logs", "fail", message="key AKIAABCDEFGHIJKLMNOP"),
                    F(ROT, "aws_kms_key.phi", "pass", severity="medium"),
                    F(RDS, "aws_db_instance.<main>", "fail", severity="critical"),
                ],
                started=night(2),
            ),
            run_id="n2",
        )
        record(
            store,
            report(
                [
                    F(ENC, "aws_s3_bucket.logs", "fail"),
                    F(ROT, "aws_kms_key.phi", "pass", severity="medium"),
                    F(RDS, "aws_db_instance.<main>", "fail", severity="critical"),
                ],
                started=night(3),
            ),
            run_id="n3",
        )
        with store.reading() as connection:
            yield {
                "changed": diff_runs(connection, "n1", "n2"),
                "unchanged": diff_runs(connection, "n2", "n3"),
                "first": compute_diff(connection, None, resolve_run(connection, "n1")),
            }


EXPECTED_SLACK = {
    "text": "comply: 2 new failure(s), 1 resolved",
    "blocks": [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": "comply: 2 new failure(s), 1 resolved"},
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Scope:* `terraform:infra`\n*Run:* `n2` (2026-11-03T03:00:00Z) "
                "compared with `n1`",
            },
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*New failures*\ncritical 1 · high 1"},
                {"type": "mrkdwn", "text": "*Resolved*\nmedium 1"},
            ],
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*New failures (2)*\n"
                ":red_circle: *critical* `rds_instance_storage_encrypted` on "
                "`aws_db_instance.&lt;main&gt;` — hipaa:164.312(b), soc2:CC7.2\n"
                ":large_orange_circle: *high* `s3_bucket_encrypted_at_rest` on "
                "`aws_s3_bucket.logs` — hipaa:164.312(b), soc2:CC7.2",
            },
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Resolved (1)*\n:large_yellow_circle: *medium* "
                "`kms_key_rotation_enabled` on `aws_kms_key.phi` — hipaa:164.312(b), soc2:CC7.2",
            },
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"still failing: 0 · comply {__version__}"}],
        },
    ],
}


def test_slack_gets_the_exact_block_kit_message(hook, changed):
    [delivery] = notify(changed["changed"], [NotifyTarget("slack", hook.url)])
    assert delivery.delivered and delivery.attempts == 1
    [request] = hook.requests
    assert request.path == "/services/T000/B000/XXXX"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.json() == EXPECTED_SLACK
    assert b"AKIA" not in request.body  # no message, no evidence


def test_a_webhook_gets_the_json_diff_without_secrets(hook, changed):
    [delivery] = notify(changed["changed"], [NotifyTarget("webhook", hook.url)])
    assert delivery.delivered
    [request] = hook.requests
    body = request.json()
    assert body == json.loads(json.dumps(diff_to_dict(changed["changed"])))
    assert body["counts"]["new"] == 2 and body["counts"]["resolved"] == 1
    assert b"AKIAABCDEFGHIJKLMNOP" not in request.body
    [s3] = [item for item in body["new"] if item["check_id"] == ENC]
    assert s3["message"] == "key <redacted>"


def test_nothing_is_sent_when_nothing_changed_unless_asked(hook, changed):
    assert notify(changed["unchanged"], [NotifyTarget("slack", hook.url)]) == []
    assert hook.requests == []
    [delivery] = notify(changed["unchanged"], [NotifyTarget("slack", hook.url)], unchanged=True)
    assert delivery.delivered
    assert hook.requests[0].json()["text"] == "comply: no change since the previous run"


def test_the_first_run_of_a_scope_is_announced(hook, changed):
    notify(changed["first"], [NotifyTarget("slack", hook.url)])
    assert hook.requests[0].json()["text"] == "comply: first run of this scope, 1 failure(s)"


def test_server_errors_are_retried_with_growing_backoff(hook, changed):
    hook.script = [500, 503]
    waits: list[float] = []
    [delivery] = notify(changed["changed"], [NotifyTarget("slack", hook.url)], sleep=waits.append)
    assert delivery.delivered and delivery.attempts == 3
    assert len(hook.requests) == 3
    assert hook.requests[0].body == hook.requests[2].body
    assert len(waits) == 2 and waits[1] > waits[0] > 0


def test_429_waits_as_long_as_the_server_asks(hook, changed):
    hook.script, hook.retry_after = [429], "7"
    waits: list[float] = []
    [delivery] = notify(changed["changed"], [NotifyTarget("slack", hook.url)], sleep=waits.append)
    assert delivery.delivered and waits == [7.0]


def test_a_server_that_keeps_failing_gives_a_warning_not_an_exception(hook, changed):
    hook.script = [500, 500, 429, 500]
    waits: list[float] = []
    [delivery] = notify(changed["changed"], [NotifyTarget("webhook", hook.url)], sleep=waits.append)
    assert not delivery.delivered and delivery.attempts == 4 and len(hook.requests) == 4
    warning = delivery.warning()
    assert warning == (
        "webhook (127.0.0.1) notification not delivered after 4 attempt(s): HTTP 500; "
        "the run is stored"
    )
    assert "XXXX" not in warning  # the webhook URL is a credential


def test_a_client_error_is_not_retried(hook, changed):
    hook.script = [404]
    [delivery] = notify(changed["changed"], [NotifyTarget("slack", hook.url)], sleep=lambda _: None)
    assert (delivery.delivered, delivery.attempts, delivery.problem) == (False, 1, "HTTP 404")


def test_an_unreachable_endpoint_is_retried_then_a_warning(changed):
    target = NotifyTarget("webhook", "http://127.0.0.1:1/hook")
    [delivery] = notify(changed["changed"], [target], sleep=lambda _: None)
    assert not delivery.delivered and delivery.attempts == 4
    assert delivery.problem is not None and delivery.problem.startswith("cannot connect")


def test_notify_values(monkeypatch):
    monkeypatch.setenv("SLACK_HOOK", "https://hooks.slack.com/services/T/B/secret")
    assert parse_target("slack=env:SLACK_HOOK").url.endswith("/secret")
    assert parse_target("webhook=http://127.0.0.1:9/x").kind == "webhook"
    for bad, says in [
        ("teams=https://x.test/y", "expected slack=URL or webhook=URL"),
        ("slack=env:MISSING_VARIABLE", "MISSING_VARIABLE is not set"),
        ("slack=ftp://secret@x.test/", r"not an http\(s\) URL"),
    ]:
        with pytest.raises(NotifyTargetError, match=says) as caught:
            parse_target(bad)
        assert "secret" not in str(caught.value)
