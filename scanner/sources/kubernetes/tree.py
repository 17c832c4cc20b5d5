"""Which files of a scanned folder are rendered, read as they are, or skipped, and why.

- A Kustomization that no other kustomization of the tree builds on (a root) is rendered once;
  its bases, components and files are judged through that render, never again on their own.
  A base is rendered on its own only when every kustomization built on it failed to render.
- A file beside a kustomization that no kustomization uses is an ordinary manifest.
- A Kustomize Component is never rendered alone (it only patches what uses it).
- A Helm chart (a folder with Chart.yaml) is one unit: rendered with `helm`, or skipped whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from scanner.sources.kubernetes.helm import CHART_FILES
from scanner.sources.kubernetes.kustomize import kustomization_file
from scanner.sources.kubernetes.kustomize_refs import Kustomization, read_kustomization


def find_kustomizations(folders: Iterable[Path]) -> dict[Path, Kustomization]:
    found = {}
    for folder in folders:
        file = kustomization_file(folder)
        if file is not None:
            found[folder] = read_kustomization(folder, file)
    return found


def find_charts(folders: Iterable[Path]) -> list[Path]:
    """Chart folders, outermost only: a subchart (`charts/x/Chart.yaml`) is part of its parent."""
    charts: list[Path] = []
    for folder in sorted(folders):
        if any((folder / name).is_file() for name in CHART_FILES) and not any(
            folder.is_relative_to(chart) for chart in charts
        ):
            charts.append(folder)
    return charts


def closure(kustomizations: dict[Path, Kustomization], folder: Path) -> set[Path]:
    """`folder` and every kustomization folder of the tree it builds on, transitively."""
    seen: set[Path] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        found = kustomizations.get(current)
        if found is not None:
            stack.extend(found.children)
    return seen


def render_kustomizations(
    kustomizations: dict[Path, Kustomization], render: Callable[[Kustomization], bool]
) -> set[Path]:
    """Render the roots, then (only where they failed) what they build on; the folders whose
    output some successful render holds."""
    covered: set[Path] = set()
    attempted: set[Path] = set()
    while True:
        remaining = {
            folder
            for folder, found in kustomizations.items()
            if not found.is_component and folder not in covered and folder not in attempted
        }
        if not remaining:
            return covered
        built_on = {child for folder in remaining for child in kustomizations[folder].children}
        roots = sorted(remaining - built_on) or sorted(remaining)  # a cycle: all of them
        for folder in roots:
            if folder in covered:
                continue
            attempted.add(folder)
            if render(kustomizations[folder]):
                covered |= closure(kustomizations, folder)


@dataclass(frozen=True)
class FileRole:
    """Why a file of a kustomization tree is not read on its own (None: read it)."""

    category: str
    reason: str


def file_roles(
    kustomizations: dict[Path, Kustomization], covered: set[Path], relative: Callable[[Path], str]
) -> Callable[[Path], FileRole | None]:
    """For each file: None when it must be read as it is; else why it is not."""
    users: dict[Path, list[Kustomization]] = defaultdict(list)
    for found in kustomizations.values():
        for path in (*found.resources, *found.patches, *found.inputs):
            users[path].append(found)
    with_dirs = [k for k in kustomizations.values() if k.input_dirs]

    def role(path: Path) -> FileRole | None:
        using = [*users.get(path, ()), *(k for k in with_dirs if k.uses(path))]
        if path.parent in kustomizations and kustomizations[path.parent].file == path:
            using.append(kustomizations[path.parent])
        if not using:
            return None
        if any(k.folder in covered for k in using):
            return FileRole("rendered", "")  # its objects are in a rendered kustomization
        for found in using:
            where = relative(found.file)
            if path in found.patches:
                return FileRole(
                    "kustomize_patch",
                    f"a patch in {where}, which was not rendered: not a whole object",
                )
        for found in using:
            if found.is_component and path == found.file:
                return FileRole(
                    "kustomize_component",
                    "a Kustomize Component: not renderable on its own; judged only within the "
                    "kustomizations that use it, and none rendered in this scan",
                )
            if found.is_component:
                return FileRole(
                    "kustomize_component",
                    f"part of the Kustomize Component {relative(found.folder)}/, which is judged "
                    "only within the kustomizations that use it",
                )
        for found in using:
            if path not in found.resources and path != found.file:
                return FileRole("kustomize_input", f"an input of {relative(found.file)}")
        return None

    return role
