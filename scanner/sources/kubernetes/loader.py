"""The Kubernetes source end to end: find files, render kustomizations, parse, normalize."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scanner.core.model import Resource, ScanError, ScanWarning, SkippedInput
from scanner.sources.kubernetes.documents import (
    Document,
    ParseError,
    item_nodes,
    iter_yaml,
    key_line,
    looks_like_manifest,
    node_span,
    parse_json,
)
from scanner.sources.kubernetes.files import (
    decode,
    read_source,
    relative_name,
    scan_root,
)
from scanner.sources.kubernetes.folders import Renderers, load_folder
from scanner.sources.kubernetes.helm import (
    SourceComments,
    has_template_syntax,
    in_chart_templates,
    render_first_message,
)
from scanner.sources.kubernetes.identity import disambiguate, unnamed_name
from scanner.sources.kubernetes.kustomize import find_helm, find_kubectl
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
NOT_KUBERNETES = "not_kubernetes"
NO_OBJECT = "no Kubernetes object in it (no document with both apiVersion and kind)"
NOT_PARSABLE = "not valid YAML or JSON, and no apiVersion and kind in it: not a manifest"


@dataclass
class KubernetesLoadResult:
    resources: list[Resource]
    errors: list[ScanError]  # things that make the scan incomplete (exit code 2)
    warnings: list[ScanWarning]
    files_scanned: int = 0
    files_skipped: int = 0  # YAML/JSON files that hold no Kubernetes objects (CI configs, values)
    skipped: list[SkippedInput] = field(default_factory=list)  # each skipped input, with why


@dataclass
class _Loader:
    kustomize: bool
    max_file_size: int
    helm_values: Sequence[Path] = ()
    resources: list[Resource] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    warnings: list[ScanWarning] = field(default_factory=list)
    files_scanned: int = 0
    files_skipped: int = 0
    skipped: list[SkippedInput] = field(default_factory=list)
    unnamed_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    seen_files: set[Path] = field(default_factory=set)

    def result(self) -> KubernetesLoadResult:
        return KubernetesLoadResult(
            self.resources,
            self.errors,
            self.warnings,
            self.files_scanned,
            self.files_skipped,
            self.skipped,
        )

    def skip_file(self, target: str, reason: str, category: str = NOT_KUBERNETES) -> None:
        self.files_skipped += 1
        self.skipped.append(SkippedInput(target, reason, category))

    def run(self, paths: Sequence[Path], stdin_text: str | None) -> KubernetesLoadResult:
        root = scan_root(paths)
        tools = Renderers(
            self.kustomize,
            find_kubectl() if self.kustomize else None,
            find_helm(),
            self.helm_values,
        )
        for path in paths:
            absolute = Path(os.path.abspath(path))
            if absolute.is_dir():
                load_folder(self, absolute, root, tools)
            elif absolute.is_file():
                self.load_file(absolute, relative_name(absolute, root))
            else:
                self.errors.append(ScanError(str(path), "no such file or directory"))
        if stdin_text is not None:
            self._load_stdin(stdin_text)
        self._apply_crd_scopes()
        self.warnings.extend(disambiguate(self.resources))
        return self.result()

    # -- where the text comes from ---------------------------------------------------------
    def load_rendered(self, rel: str, text: str) -> None:
        """The output of `kubectl kustomize` or `helm template`: lines of no file you wrote."""
        self.files_scanned += 1
        self._guarded(rel, text, is_json=False, with_lines=False)

    def load_file(self, path: Path, rel: str) -> None:
        if path in self.seen_files:  # overlapping scan paths: read each file once
            return
        self.seen_files.add(path)
        self._load_file(path, rel)

    def _load_file(self, path: Path, rel: str) -> None:
        self.files_scanned += 1
        source = read_source(path, rel, self.max_file_size)
        if source.error is not None:
            if source.data is not None and not looks_like_manifest(source.data.decode("latin-1")):
                self.skip_file(rel, f"{source.error.message}; no apiVersion and kind in it")
            else:
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
        # A template holds placeholders, not values: nothing of it is judged, and it says so.
        self.skip_file(rel, render_first_message(text), "template")

    def _load_text(self, rel: str, text: str, *, is_json: bool, with_lines: bool) -> None:
        lines = text.splitlines()
        items: Iterable[Document | ParseError]
        if is_json:
            parsed = parse_json(text)
            items, lines = [*parsed.documents, *parsed.errors], parsed.lines
        else:
            items = iter_yaml(text, lines)
        if not is_json and has_template_syntax(text):
            items = list(items)  # decide whether it is a template before loading anything
            if any(isinstance(i, ParseError) and has_template_syntax(i.text) for i in items):
                # An unrendered template, not a broken manifest: skipped whole, nothing loaded
                # (its other documents hold `{{ }}` placeholders, not values).
                self._render_first(rel, text)
                return
        sources = SourceComments(lines) if "Source:" in text else None
        loaded = 0
        previous_end = 0
        errors: list[ParseError] = []
        # One document at a time: its node tree is released before the next one is composed.
        for item in items:
            if isinstance(item, ParseError):
                errors.append(item)
                continue
            if is_kubernetes_object(item.data):
                self._warn_duplicates(rel, item, with_lines)
                helm_source = sources.source_for(item.start_line, previous_end) if sources else None
                loaded += self._load_document(rel, item, helm_source, with_lines, lines)
            previous_end = item.end_line
        # A broken document that holds no apiVersion and kind could never have been an object
        # (a JSON file with comments, a Go template of a config file): not a broken manifest.
        broken = [e for e in errors if looks_like_manifest(e.text)]
        self.errors.extend(ScanError(rel, e.message, e.line) for e in broken)
        if loaded == 0 and not broken:
            self.skip_file(rel, NOT_PARSABLE if errors else NO_OBJECT)
        elif len(broken) < len(errors):
            self.warnings.extend(
                ScanWarning(rel, f"{e.message}; ignored: no apiVersion and kind in it", e.line)
                for e in errors
                if e not in broken
            )

    def _warn_duplicates(self, rel: str, document: Document, with_lines: bool) -> None:
        for duplicate in document.duplicates:
            lines = f" (lines {duplicate.first_line} and {duplicate.line})" if with_lines else ""
            self.warnings.append(
                ScanWarning(
                    rel,
                    f"key {duplicate.key!r} is written twice in one mapping{lines}; comply judges "
                    "the last one, and kubectl's default (strict) validation rejects the file",
                    duplicate.line if with_lines else None,
                )
            )

    def _load_document(
        self,
        rel: str,
        document: Document,
        helm_source: str | None,
        with_lines: bool,
        lines: Sequence[str],
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
                node_span(node, lines, document.line_offset)
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

        def unnamed(kind: str) -> str:
            count = self.unnamed_counts.get((rel, kind), 0) + 1
            self.unnamed_counts[(rel, kind)] = count
            return unnamed_name(count, rel)

        def line_of(path: Sequence[str]) -> int | None:
            return key_line(node, path, offset) if with_lines and node is not None else None

        normalized = normalize_object(
            obj,
            file=rel,
            start_line=document.start_line if with_lines else None,
            end_line=document.end_line if with_lines else None,
            line_of=line_of,
            helm_source=helm_source,
            unnamed=unnamed,
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
