"""Live-cloud findings in the console: grouped by check, and account/region-level findings of one
check folded into one line per message.

A live scan of every region finds the same regional gap (no GuardDuty detector, no Config
recorder, EBS default encryption off, default-VPC flow logs) once per region. Listed per
resource, seventeen empty regions bury the three real findings; folded, they are one line that
names the regions.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from rich.text import Text

from scanner.compliance.results import ScanReport
from scanner.core.model import Finding, Status
from scanner.core.wording import plural

if TYPE_CHECKING:
    from scanner.report.console import Layout

REGION_MARK = "<region>"


def _fold_key(finding: Finding) -> tuple[str, str, str]:
    """Findings of one check that differ only by region fold together."""
    region = finding.location.region
    message = finding.message.replace(region, REGION_MARK) if region else finding.message
    return finding.status.value, message, finding.location.account or ""


def _check_order(findings: list[Finding]) -> tuple[int, int, str]:
    from scanner.report.console import STATUS_ORDER

    worst = min(STATUS_ORDER.index(f.status) for f in findings)
    return (worst, -max(f.severity.rank for f in findings), findings[0].check_id)


def live_lines(report: ScanReport, layout: Layout) -> list[Text]:
    from scanner.report.console import finding_lines, finding_message, status_head

    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        if finding.status is not Status.PASS and not finding.location.file:
            by_check[finding.check_id].append(finding)
    lines: list[Text] = []
    for findings in sorted(by_check.values(), key=_check_order):
        check_id = findings[0].check_id
        sources = sorted({f.resource.source for f in findings})
        header = Text(check_id, style="bold underline")
        header.append(f"  ({', '.join(sources)}: {plural(len(findings), 'finding')})", style="dim")
        lines.append(header)
        folds: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
        for finding in findings:
            folds[_fold_key(finding)].append(finding)
        for (_, message, account), members in sorted(folds.items()):
            first = members[0]
            regions = sorted({m.location.region for m in members if m.location.region})
            if len(members) > 1 and REGION_MARK in message and len(regions) == len(members):
                head = status_head(first, layout)
                if layout.narrow:
                    lines += [head, *layout.block(message, 6)]
                else:
                    lines += layout.wrap(head + Text("  "), message, 6)
                where = f"in {plural(len(regions), 'region')}"
                where += f" of account {account}: " if account else ": "
                lines += layout.block(where + ", ".join(regions), 6)
                continue
            for member in sorted(members, key=lambda f: f.resource.id):
                lines.append(Text(f"  {member.resource.id}", style="bold"))
                if layout.narrow or layout.width is None:
                    lines += finding_lines(member, layout)
                else:
                    lines += layout.wrap(
                        status_head(member, layout) + Text("  "), finding_message(member), 6
                    )
        lines.append(Text())
    return lines
