"""The Kubernetes source end to end: find files, render kustomizations, parse, normalize."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scanner.core.model import Resource, ScanError, ScanWarning
from scanner.sources.kubernetes.documents import (
    Document,
    ParsedText,
    item_nodes,
    key_line,
    node_span,
    parse_json,
    parse_yaml,
)
from scanner.sources.kubernetes.files import (
    decode,
    read_source,
    relative_name,
    scan_root,
    walk_manifest_dirs,
)
from scanner.sources.kubernetes.helm import (
    SourceComments,
    first_template_line,
    has_template_syntax,
    in_chart_templates,
    render_first_message,
)
from scanner.sources.kubernetes.kustomize import find_kubectl, kustomization_file, render
from scanner.sources.kubernetes.normalize import (
    CLUSTER_SCOPED_KINDS,
    cluster_scoped_crd_kinds,
    is_kubernetes_object,
    item_kind,
    list_items,
    make_cluster_scoped,
    normalize_object,
)

STDIN_NAME = "<stdin>"


@dataclass
class KubernetesLoadResult:
    resources: list[Resource]
    errors: list[ScanError]  # things that make the scan incomplete (exit code 2)
    warnings: list[ScanWarning]
    files_scanned: int = 0
    files_skipped: int = 0  # YAML/JSON files that hold no Kubernetes objects (CI configs, values)


@dataclass
class _Loader:
    kustomize: bool
    max_file_size: int
    resources: list[Resource] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    warnings: list[ScanWarning] = field(default_factory=list)
    files_scanned: int = 0
    files_skipped: int = 0

    def result(self) -> KubernetesLoadResult:
        return KubernetesLoadResult(
            self.resources, self.errors, self.warnings, self.files_scanned, self.files_skipped
        )

    def run(self, paths: Sequence[Path], stdin_text: str | None) -> KubernetesLoadResult:
        root = scan_root(paths)
        kubectl = find_kubectl() if self.kustomize else None
        for path in paths:
            absolute = Path(os.path.abspath(path))
            if absolute.is_dir():
                self._load_dir(absolute, root, kubectl)
            elif absolute.is_file():
                self._load_file(absolute, relative_name(absolute, root))
            else:
                self.errors.append(ScanError(str(path), "no such file or directory"))
        if stdin_text is not None:
            self._load_stdin(stdin_text)
        self._apply_crd_scopes()
        return self.result()

    # -- where the text comes from ---------------------------------------------------------
    def _load_dir(self, directory: Path, root: Path, kubectl: str | None) -> None:
        rendered: list[Path] = []
        for folder, files in walk_manifest_dirs(directory).items():
            kustomization = kustomization_file(folder) if self.kustomize else None
            if kustomization is not None and self._load_kustomization(
                folder, kustomization, root, kubectl
            ):
                rendered.append(folder)
                continue
            # Files below a rendered kustomization are its resources, patches or components:
            # the rendered output already holds what they contribute.
            if any(folder.is_relative_to(done) for done in rendered):
                continue
            for file in files:
                self._load_file(file, relative_name(file, root))

    def _load_kustomization(
        self, folder: Path, kustomization: Path, root: Path, kubectl: str | None
    ) -> bool:
        """Render a kustomization and load the output; False when the raw files must do."""
        rel = relative_name(kustomization, root)
        folder_rel = relative_name(folder, root)
        if kubectl is None:
            self.warnings.append(
                ScanWarning(
                    rel,
                    f"kustomization in {folder_rel}/ not rendered: kubectl is not on PATH; "
                    "scanned its raw files instead (patches and overlays not applied)",
                )
            )
            return False
        rendered = render(folder, kubectl)
        if rendered.text is None:
            self.errors.append(
                ScanError(rel, f"{rendered.error}; scanned the raw files of {folder_rel}/ instead")
            )
            return False
        self.files_scanned += 1
        self._guarded(rel, rendered.text, is_json=False, with_lines=False)
        return True

    def _load_file(self, path: Path, rel: str) -> None:
        self.files_scanned += 1
        source = read_source(path, rel, self.max_file_size)
        if source.error is not None:
            self.errors.append(source.error)
            return
        assert source.text is not None
        if in_chart_templates(path) and has_template_syntax(source.text):
            self._render_first(rel, source.text)
            return
        self._guarded(rel, source.text, is_json=path.suffix.lower() == ".json", with_lines=True)

    def _load_stdin(self, text: str) -> None:
        self.files_scanned += 1
        # The CLI decodes stdin with `surrogateescape`: undecodable bytes come back as they were,
        # and get the same "not valid UTF-8 (line)" error as a file would.
        data = text.encode("utf-8", "surrogateescape")
        checked, error = decode(data, STDIN_NAME, self.max_file_size)
        if error is not None or checked is None:
            self.errors.append(error or ScanError(STDIN_NAME, "cannot read stdin"))
            return
        stripped = checked.lstrip()
        is_json = stripped.startswith("{")
        self._guarded(STDIN_NAME, checked, is_json=is_json, with_lines=True)

    # -- text -> resources ---------------------------------------------------------------------
    def _guarded(self, rel: str, text: str, *, is_json: bool, with_lines: bool) -> None:
        try:
            self._load_text(rel, text, is_json=is_json, with_lines=with_lines)
        except Exception as exc:  # one odd file must never stop the scan
            self.errors.append(ScanError(rel, f"internal error: {type(exc).__name__}: {exc}"))

    def _render_first(self, rel: str, text: str) -> None:
        self.errors.append(ScanError(rel, render_first_message(text), first_template_line(text)))

    def _load_text(self, rel: str, text: str, *, is_json: bool, with_lines: bool) -> None:
        parsed: ParsedText = parse_json(text) if is_json else parse_yaml(text)
        if parsed.errors:
            if any(has_template_syntax(error.text) for error in parsed.errors):
                # An unrendered template, not a broken manifest: one error, nothing loaded (its
                # other documents hold `{{ }}` placeholders, not values).
                self._render_first(rel, text)
                return
            self.errors.extend(ScanError(rel, e.message, e.line) for e in parsed.errors)
        sources = SourceComments(parsed.lines) if "Source:" in text else None
        loaded = 0
        previous_end = 0
        for document in parsed.documents:
            if is_kubernetes_object(document.data):
                helm_source = (
                    sources.source_for(document.start_line, previous_end) if sources else None
                )
                loaded += self._load_document(rel, document, helm_source, with_lines, parsed)
            previous_end = document.end_line
        if loaded == 0 and not parsed.errors:
            self.files_skipped += 1

    def _load_document(
        self,
        rel: str,
        document: Document,
        helm_source: str | None,
        with_lines: bool,
        parsed: ParsedText,
    ) -> int:
        data: dict[str, Any] = document.data
        items = list_items(data)
        if items is None:
            self._add(rel, data, document.node, document, helm_source, with_lines)
            return 1
        nodes = item_nodes(document.node)
        if nodes is not None and len(nodes) != len(items):
            nodes = None
        default_kind = item_kind(data["kind"])
        loaded = 0
        for index, item in enumerate(items):
            node = nodes[index] if nodes is not None else None
            span = (
                node_span(node, parsed.lines, document.line_offset)
                if node is not None
                else (document.start_line, document.end_line)
            )
            if isinstance(item, dict) and default_kind and "kind" not in item:
                # A typed list (`DeploymentList`) as the API server returns it: items carry
                # neither kind nor apiVersion.
                item = {"apiVersion": data["apiVersion"], "kind": default_kind, **item}
            if not is_kubernetes_object(item):
                self.errors.append(
                    ScanError(
                        rel,
                        f"item {index} of {data['kind']} is not a Kubernetes object "
                        "(no apiVersion and kind); not loaded",
                        span[0] if with_lines else None,
                    )
                )
                continue
            item_document = Document(item, span[0], span[1], node, document.line_offset)
            self._add(rel, item, node, item_document, helm_source, with_lines)
            loaded += 1
        return loaded

    def _add(
        self,
        rel: str,
        obj: dict[str, Any],
        node: yaml.Node | None,
        document: Document,
        helm_source: str | None,
        with_lines: bool,
    ) -> None:
        offset = document.line_offset

        def line_of(path: Sequence[str]) -> int | None:
            return key_line(node, path, offset) if with_lines and node is not None else None

        normalized = normalize_object(
            obj,
            file=rel,
            start_line=document.start_line if with_lines else None,
            end_line=document.end_line if with_lines else None,
            line_of=line_of,
            helm_source=helm_source,
        )
        self.errors.extend(normalized.errors)
        self.warnings.extend(normalized.warnings)
        if normalized.resource is not None:
            self.resources.append(normalized.resource)

    def _apply_crd_scopes(self) -> None:
        kinds = cluster_scoped_crd_kinds(self.resources) - CLUSTER_SCOPED_KINDS
        if not kinds:
            return
        for resource in self.resources:
            if resource.attributes.get("kind") in kinds and resource.attributes["namespace"]:
                make_cluster_scoped(resource)
