"""The bundle's index.html in a real browser: headless Chromium driven by playwright.

An auditor opens the bundle from disk, often on a machine with no network or with a proxy that
logs everything, so the page must render from the bundle alone. The browser is Debian's
`chromium` package (never `playwright install`, which downloads a browser); the bundle is
exported from the examples through the real CLI. Every request the page makes is routed through
the test: anything that is not a local file (file:, or data:/blob:/about: that never leave the
page) is recorded and aborted, and there must be none.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # tests run as root in a container, where the sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
ROOT = Path(__file__).resolve().parents[2]
ATTESTATIONS = ROOT / "tests" / "fixtures" / "evidence_oscal" / "attestations.yaml"

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found: install Debian's `chromium` package "
        "(apt-get install -y chromium) to run the browser test",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the `playwright` Python package (a dev dependency) drives Chromium",
)


def comply(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("browser-bundle")
    report = work / "tf.json"
    scan = comply("scan", "terraform", "examples/terraform", "--no-cache", "-o", f"json={report}")
    assert scan.returncode in (0, 1), scan.stderr  # 1: the examples fail checks on purpose
    out = work / "bundle"
    export = comply(
        "evidence", "export", "--framework", "hipaa", str(report),
        "--attestations", str(ATTESTATIONS), "--out", str(out),
    )  # fmt: skip
    if export.returncode == 2 and "No such command 'evidence'" in export.stderr:
        pytest.skip("`comply evidence` is not registered in the CLI yet")
    assert export.returncode == 0, export.stderr
    return out


@pytest.fixture(scope="module")
def controls(bundle_dir: Path) -> list[dict[str, Any]]:
    findings = json.loads((bundle_dir / "findings.json").read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = findings["controls"]
    return rows


@pytest.fixture
def browser_page() -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page in a fresh context, with every non-local request recorded and aborted.

    Yields (page, outside requests, page errors). Page errors include script errors and console
    errors, so an external asset that the bundle's Content-Security-Policy blocked before any
    request was made ("Refused to load ...") still fails the test.
    """
    outside: list[str] = []
    errors: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            # Context-wide, so popups and frames are covered too; `on("request")` is a second
            # net for requests a route might not see.
            context.route("**/*", guard)
            # The net must catch something before its silence means anything: a request to a
            # TEST-NET address (RFC 5737) from a blank page is recorded and aborted.
            probe = context.new_page()
            probe.set_content('<img src="http://192.0.2.1/probe.png">', wait_until="load")
            probe.close()
            assert outside == ["http://192.0.2.1/probe.png"], outside
            outside.clear()
            page = context.new_page()
            page.on(
                "request",
                lambda request: (
                    None if request.url.startswith(LOCAL_SCHEMES) else outside.append(request.url)
                ),
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            yield page, outside, errors
        finally:
            browser.close()


def test_index_renders_the_control_table_offline(
    bundle_dir: Path,
    controls: list[dict[str, Any]],
    browser_page: tuple[Any, list[str], list[str]],
    tmp_path: Path,
    record_property: Any,
) -> None:
    page, outside, errors = browser_page
    page.goto((bundle_dir / "index.html").as_uri(), wait_until="load")

    # The control table is the one whose header names a Status column next to Control.
    table = (
        page.locator("table")
        .filter(has=page.locator("th", has_text="Status"))
        .filter(has=page.locator("th", has_text="Control"))
    )
    sync_api.expect(table).to_have_count(1)
    rows = table.locator("tbody tr")
    sync_api.expect(rows).to_have_count(len(controls))
    assert len(controls) == 68  # every HIPAA Security Rule control of controls/hipaa.yaml

    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    status_column = headers.index("Status")
    for index, control in enumerate(controls):
        cells = rows.nth(index).locator("td")
        assert cells.first.inner_text().strip() == control["id"]
        status = cells.nth(status_column)
        sync_api.expect(status).to_have_text(control["status"].replace("_", " "))
        assert status.locator(".status").is_visible()
    statuses = {c["status"] for c in controls}
    assert {"not_satisfied", "attested", "incomplete"} <= statuses

    screenshot = tmp_path / "evidence-index.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000
    record_property("screenshot", str(screenshot))
    print(f"\nscreenshot of the bundle index: {screenshot}")

    # Through to one control page: the one with a failing check, by its link in the table.
    failing = next(c for c in controls if c["status"] == "not_satisfied")
    row = rows.nth(controls.index(failing))
    row.get_by_role("link", name=failing["id"], exact=True).click()
    page.wait_for_load_state("load")
    assert page.url == (bundle_dir / failing["page"]).as_uri()
    sync_api.expect(page.locator("h1")).to_contain_text(failing["id"])
    sync_api.expect(page.locator("body")).to_contain_text(failing["title"])
    sync_api.expect(page.locator("body")).to_contain_text("not satisfied")
    control_shot = tmp_path / "evidence-control.png"
    page.screenshot(path=str(control_shot), full_page=True)
    record_property("control_screenshot", str(control_shot))
    print(f"screenshot of control {failing['id']}: {control_shot}")

    # Back to the index through the page's own header link.
    page.locator("header a").first.click()
    page.wait_for_load_state("load")
    assert page.url == (bundle_dir / "index.html").as_uri()

    assert outside == [], f"requests left the page: {outside}"
    assert errors == [], f"errors on the page (scripts, blocked assets): {errors}"


@pytest.fixture(scope="module")
def period_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A period bundle of a stored failing -> fixed -> waived -> regressed story (see
    tests/history/test_period_export.py for the hand-computed numbers)."""
    from tests.history.test_period_export import attestations_file, fill
    from tests.history.test_period_oscal import PERIOD_RESPONSES, WAIVERS

    work = tmp_path_factory.mktemp("browser-period")
    url = f"sqlite:///{work / 'history.db'}"
    fill(url)
    out = work / "period"
    (work / "waivers.yaml").write_text(WAIVERS)
    (work / "responses.yaml").write_text(PERIOD_RESPONSES)
    export = comply(
        "evidence", "export", "--framework", "hipaa", "--from", "2026-11-01", "--to",
        "2026-11-06", "--store", url, "--attestations", str(attestations_file(work)),
        "--waivers", str(work / "waivers.yaml"), "--responses", str(work / "responses.yaml"),
        "--out", str(out),
    )  # fmt: skip
    assert export.returncode == 0, export.stderr
    return out


def test_period_timeline_shows_each_runs_status_offline(
    period_bundle: Path, browser_page: tuple[Any, list[str], list[str]], tmp_path: Path
) -> None:
    page, outside, errors = browser_page
    page.goto((period_bundle / "index.html").as_uri(), wait_until="load")
    # Risk acceptances in force during the period, responses with their state on its last day.
    accepted = [
        [c.strip() for c in row.locator("td").all_inner_texts()]
        for row in page.locator("#risk-acceptances tbody tr").all()
    ]
    assert accepted == [
        [
            "k8s_rbac_cluster_admin_not_bound", "crb.bad",
            "Break-glass binding kept during the migration.", "ciso@example.com", "2026-11-02",
            "medium", "RISK-7", "2026-11-03", "2",
        ]
    ]  # fmt: skip
    states = page.locator("#responses tbody tr td:nth-child(6) .status")
    assert [s.strip() for s in states.all_inner_texts()] == ["closed", "open", "overdue"]
    for badge in states.all():
        assert badge.is_visible()
    page.get_by_role("link", name="Timeline of status per run").click()
    page.wait_for_load_state("load")
    assert page.url == (period_bundle / "timeline.html").as_uri()
    headers = [h.strip() for h in page.locator("#timeline thead th").all_inner_texts()]
    assert headers == [
        "Control",
        "2026-11-01T03:00:00Z",
        "2026-11-02T03:00:00Z",
        "2026-11-03T03:00:00Z",
        "2026-11-04T03:00:00Z",
        "2026-11-06T03:00:00Z",  # 11-05 crashed: incomplete, no column
        "Share satisfied",
    ]
    row = page.locator('#timeline tr[data-control="164.308(a)(4)(ii)(C)"]')
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells == [  # partial: attested 11-02 to 11-04 (see test_period_export.py)
        "164.308(a)(4)(ii)(C)",
        "not satisfied",
        "attested",
        "attested",
        "not satisfied",
        "incomplete",
        "40.0%",
    ]
    for badge in row.locator(".status").all():
        assert badge.is_visible()
    exceptions = page.locator("#exceptions tbody tr").filter(has_text="164.308(a)(4)(ii)(C)")
    sync_api.expect(exceptions).to_have_count(2)
    # The hand-computed answer: control, check, resource, first seen, last seen, resolved,
    # days to remediate, failing runs, waived runs.
    expected = [
        ["2026-11-01T03:00:00Z", "2026-11-01T03:00:00Z", "2026-11-02T03:00:00Z", "1.0", "1", "0"],
        ["2026-11-03T03:00:00Z", "2026-11-04T03:00:00Z", "2026-11-06T03:00:00Z", "3.0", "1", "1"],
    ]
    for n, dates in enumerate(expected):
        cells = [c.strip() for c in exceptions.nth(n).locator("td").all_inner_texts()]
        assert cells == [
            "164.308(a)(4)(ii)(C)",
            "k8s_rbac_cluster_admin_not_bound",
            "crb.bad",
            *dates,
        ]
    page.screenshot(path=str(tmp_path / "period-timeline.png"), full_page=True)
    assert outside == [], f"requests left the page: {outside}"
    assert errors == [], f"errors on the page: {errors}"


@pytest.fixture(scope="module")
def drift_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SOC 2 bundle of `comply drift` over the drift fixtures (state + snapshot, offline)."""
    work = tmp_path_factory.mktemp("browser-drift")
    report = work / "drift.json"
    states = ROOT / "tests" / "fixtures" / "drift_states"
    drift = comply(
        "drift", "--state", str(states / "moto.tfstate"), "--snapshot",
        str(states / "moto-snapshot.json.gz"), "-o", f"json={report}",
    )  # fmt: skip
    assert drift.returncode == 1, drift.stderr  # drifted on purpose
    out = work / "bundle"
    export = comply(
        "evidence", "export", "--framework", "soc2", str(report), "--no-pdf", "--out", str(out)
    )
    assert export.returncode == 0, export.stderr
    return out


def test_change_management_page_renders_offline(
    drift_bundle: Path, browser_page: tuple[Any, list[str], list[str]], tmp_path: Path
) -> None:
    page, outside, errors = browser_page
    page.goto((drift_bundle / "index.html").as_uri(), wait_until="load")
    page.get_by_role("link", name="Change management").click()
    page.wait_for_load_state("load")
    assert page.url == (drift_bundle / "change-management.html").as_uri()
    sync_api.expect(page.locator("h1")).to_contain_text("Change management")
    cards = [c.strip() for c in page.locator("#drift-counts .card b").all_inner_texts()]
    assert cards == ["7", "3", "3", "1", "2"]
    rows = page.locator("#drifted-attributes tbody tr")
    sync_api.expect(rows).to_have_count(3)  # one drifted attribute on each of three resources
    phi = rows.filter(has_text="aws_s3_bucket.phi")
    sync_api.expect(phi).to_contain_text("server_side_encryption")
    sync_api.expect(phi).to_contain_text("aws:kms")
    sync_api.expect(phi).to_contain_text("s3_bucket_encrypted_at_rest")
    sync_api.expect(page.locator("#unmanaged-resources tbody tr")).to_have_count(2)
    sync_api.expect(page.locator("#deleted-resources tbody tr")).to_have_count(1)
    for badge in page.locator("#drifted-attributes .status").all():
        assert badge.is_visible()
    page.screenshot(path=str(tmp_path / "change-management.png"), full_page=True)
    # To the live side's raw evidence of the drifted bucket, by its link.
    phi.get_by_role("link", name=re.compile(r"^arn-aws-s3-drift-phi")).click()
    page.wait_for_load_state("load")
    assert "evidence/raw/aws/arn-aws-s3-drift-phi" in page.url
    sync_api.expect(page.locator("body")).to_contain_text('"Name": "drift-phi"')
    assert outside == [], f"requests left the page: {outside}"
    assert errors == [], f"errors on the page: {errors}"
