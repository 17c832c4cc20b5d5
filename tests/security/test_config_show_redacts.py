"""`comply config show` prints the effective configuration to CI logs: a webhook URL or a
store password in .comply.yaml is redacted (tests/fixtures/canary/config/.comply.yaml)."""

from __future__ import annotations

from tests.conftest import FIXTURES, run_comply

CONFIG = FIXTURES / "canary" / "config" / ".comply.yaml"


def test_config_show_redacts_credentials() -> None:
    result = run_comply("config", "show", CONFIG.parent, "--config", CONFIG)
    assert result.exit_code == 0, result.stderr
    assert "canary-store-pass" not in result.stdout
    assert "canarywebhook0002" not in result.stdout
    assert "hooks.slack.com/services/<redacted>" in result.stdout
    assert "db.internal" in result.stdout  # the rest of the setting is still shown
