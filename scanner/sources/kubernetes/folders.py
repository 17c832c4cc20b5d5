"""One scanned folder: render its kustomizations and charts, read the rest, skip what is no
manifest, each with its reason (see tree.py for the rules, docs/kubernetes.md for users)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from scanner.core.model import ScanError, ScanWarning
from scanner.sources.kubernetes.files import relative_name, walk_manifest_dirs
from scanner.sources.kubernetes.helm import CHART_FILES
from scanner.sources.kubernetes.kustomize import Rendered, render, render_chart
from scanner.sources.kubernetes.kustomize_refs import Kustomization
from scanner.sources.kubernetes.tree import (
    file_roles,
    find_charts,
    find_kustomizations,
    render_kustomizations,
)
from scanner.sources.source_files import unreadable_folder_errors


class FolderSink(Protocol):
    """What the loader offers a folder walk: where objects, problems and skips go."""

    errors: list[ScanError]
    warnings: list[ScanWarning]

    def load_file(self, path: Path, rel: str) -> None: ...

    def load_rendered(self, rel: str, text: str) -> None: ...

    def skip_file(self, target: str, reason: str, category: str = ...) -> None: ...


@dataclass
class Renderers:
    kustomize: bool  # False: --no-kustomize
    kubectl: str | None
    helm: str | None
    helm_values: Sequence[Path] = ()
    # Folders already rendered in this run (overlapping scan paths render nothing twice).
    done: set[Path] = field(default_factory=set)


def load_folder(sink: FolderSink, directory: Path, root: Path, tools: Renderers) -> None:
    unreadable: list[tuple[Path, str]] = []
    walked = walk_manifest_dirs(directory, unreadable)
    sink.errors.extend(unreadable_folder_errors(unreadable, root))

    def rel(path: Path) -> str:
        return relative_name(path, root)

    charts = find_charts(walked)
    kustomizations = find_kustomizations(walked)
    covered: set[Path] = set()
    if tools.kustomize and tools.kubectl is not None:
        kubectl = tools.kubectl

        def render_one(found: Kustomization) -> bool:
            if found.folder in tools.done:
                return True
            if _load_render(sink, rel(found.file), render(found.folder, kubectl), found.folder):
                tools.done.add(found.folder)
                return True
            return False

        covered = render_kustomizations(kustomizations, render_one)
    elif tools.kustomize:
        for found in kustomizations.values():
            if not found.is_component:
                sink.warnings.append(
                    ScanWarning(
                        rel(found.file),
                        f"kustomization in {rel(found.folder)}/ not rendered: kubectl is not on "
                        "PATH; scanned its raw files instead (patches and overlays not applied)",
                    )
                )
    role_of = file_roles(kustomizations, covered, rel)
    used_whole = [d for f in covered if f in kustomizations for d in kustomizations[f].input_dirs]
    for chart in charts:
        if not any(chart.is_relative_to(folder) for folder in used_whole):
            _load_chart(sink, chart, rel, tools)
    for folder, files in walked.items():
        if any(folder.is_relative_to(chart) for chart in charts):
            continue  # a chart is one unit: rendered or skipped above
        for file in files:
            role = role_of(file)
            if role is None:
                sink.load_file(file, rel(file))
            elif role.category != "rendered":
                sink.skip_file(rel(file), role.reason, role.category)


def _load_render(sink: FolderSink, target: str, rendered: Rendered, folder: Path) -> bool:
    if rendered.text is None:
        message = f"{rendered.error}; its files are scanned as they are"
        sink.errors.append(ScanError(target, message))
        return False
    sink.load_rendered(target, rendered.text)
    return True


def _load_chart(
    sink: FolderSink, chart: Path, rel: Callable[[Path], str], tools: Renderers
) -> None:
    target = rel(next(chart / n for n in CHART_FILES if (chart / n).is_file()))
    if chart in tools.done:
        return
    if tools.helm is None:
        values = "".join(f" -f {v}" for v in tools.helm_values)
        sink.skip_file(
            f"{rel(chart)}/",
            "a Helm chart, not rendered: helm is not on PATH. Render it and scan the output: "
            f"`helm template {chart.name} {rel(chart)}{values} | comply scan kubernetes -`",
            "helm_chart",
        )
        return
    rendered = render_chart(chart, tools.helm, tools.helm_values)
    if rendered.text is None:
        sink.errors.append(ScanError(target, f"{rendered.error}; the chart was not scanned"))
        return
    tools.done.add(chart)
    sink.load_rendered(target, rendered.text)
