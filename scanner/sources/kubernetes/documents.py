"""YAML and JSON text -> documents with line numbers, one bad document never hiding the others.

YAML is composed with PyYAML's C loader when libyaml is available (`CSafeLoader`, many times
faster than the pure-Python one) and with `SafeLoader` otherwise; both construct plain Python
objects with the safe constructor only. Each document keeps its node tree, whose marks give the
lines of the document, of the items of a `List` and of annotation keys.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from scanner.core.yaml_budget import DuplicateKey, YamlTooLarge, check_expansion, duplicate_keys

try:
    from yaml import CSafeLoader as SafeLoader

    LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

    LIBYAML = False

# A line that starts or ends a YAML document (column 0, as the spec requires).
_SEPARATOR = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?$")


@dataclass
class Document:
    """One document of a stream: the data, its first and last line, and its node tree."""

    data: Any
    start_line: int
    end_line: int
    node: yaml.Node | None
    line_offset: int = 0  # lines before the text the node's marks count from
    # Keys written twice in one mapping (YAML keeps the last silently): the loader warns.
    duplicates: list[DuplicateKey] = field(default_factory=list)


@dataclass
class ParseError:
    message: str
    line: int | None
    text: str  # the document's text (the whole stream when it cannot be split)


@dataclass
class ParsedText:
    documents: list[Document] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def parse_yaml(text: str) -> ParsedText:
    """Every document of a YAML stream; a malformed one becomes an error, the rest still load."""
    lines = text.splitlines()
    parsed = ParsedText(lines=lines)
    for item in iter_yaml(text, lines):
        if isinstance(item, ParseError):
            parsed.errors.append(item)
        else:
            parsed.documents.append(item)
    return parsed


def iter_yaml(text: str, lines: Sequence[str]) -> Iterator[Document | ParseError]:
    """Each document of a YAML stream as soon as it is composed, or the error of a malformed one.

    A caller that handles each document before asking for the next holds one node tree at a
    time, not one per document of the file (a rendered install holds thousands). When the stream
    breaks, the parser cannot resume, so the documents not yet given are parsed one by one: those
    after the bad one still come, and none comes twice.
    """
    given: set[int] = set()
    last_end = 0
    try:
        for document in _iter_compose(text, 0, lines):
            given.add(document.start_line)
            last_end = document.end_line
            yield document
        return
    except (yaml.YAMLError, YamlTooLarge, RecursionError):
        pass
    for offset, chunk in split_documents(lines):
        if offset + chunk.count("\n") <= last_end:
            continue  # given whole before the stream broke
        try:
            for document in _iter_compose(chunk, offset, lines):
                if document.start_line not in given:
                    yield document
        except yaml.YAMLError as exc:
            last_line = offset + max(chunk.count("\n"), 1)
            line = _error_line(exc, offset)
            line = None if line is None else min(line, last_line)
            yield ParseError(_describe(exc, offset), line, chunk)
        except YamlTooLarge as exc:
            yield ParseError(str(exc), exc.line, chunk)
        except RecursionError:
            yield ParseError("document nested too deeply", offset + 1, chunk)


def parse_json(text: str) -> ParsedText:
    """One JSON document; lines come from composing it as YAML (JSON is flow-style YAML)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            json_lines = parse_json_lines(text)
            if json_lines is not None:
                return json_lines
        error = ParseError(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno, text)
        return ParsedText(errors=[error])
    except RecursionError:
        return ParsedText(errors=[ParseError("JSON nested too deeply", None, text)])
    lines = text.splitlines()
    node: yaml.Node | None
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except (yaml.YAMLError, RecursionError):  # valid JSON that YAML 1.1 rejects: lines of the file
        node = None
    if node is not None:
        start, end = node_span(node, lines)
    else:
        start, end = _text_span(lines)
    return ParsedText([Document(data, start, end, node)], lines=lines)


_API_VERSION_KEY = re.compile(r"""\bapiVersion["']?\s*:""")
_KIND_KEY = re.compile(r"""\bkind["']?\s*:""")


def looks_like_manifest(text: str) -> bool:
    """Whether text that failed to parse could have held a Kubernetes object: every object (and
    every List) has both keys, so a broken file without them is not a broken manifest."""
    return _API_VERSION_KEY.search(text) is not None and _KIND_KEY.search(text) is not None


def parse_json_lines(text: str) -> ParsedText | None:
    """A JSON-lines file (one JSON value per line), or None when it is not one."""
    lines = text.splitlines()
    documents = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            return None
        documents.append(Document(data, number, number, None))
    return ParsedText(documents, lines=lines) if len(documents) > 1 else None


def split_documents(lines: Sequence[str]) -> list[tuple[int, str]]:
    """(lines before the chunk, chunk text) for each document, split at `---` / `...` lines."""
    chunks: list[tuple[int, str]] = []
    start = 0
    for index, line in enumerate(lines):
        if index > start and _SEPARATOR.match(line):
            chunks.append((start, "\n".join(lines[start:index]) + "\n"))
            start = index
    chunks.append((start, "\n".join(lines[start:]) + "\n"))
    return chunks


def node_span(node: yaml.Node, lines: Sequence[str], offset: int = 0) -> tuple[int, int]:
    """First and last line (1-based, in the whole text) of a node, trailing comments excluded."""
    start = node.start_mark.line + 1
    mark = node.end_mark
    # A block collection ends where the next token starts (the next key, `- ` item or `---`):
    # when only indentation precedes that mark, the node ended on the line before.
    index = mark.line + offset
    before = lines[index][: mark.column] if 0 <= index < len(lines) else ""
    end = mark.line if mark.line >= start and not before.strip() else mark.line + 1
    start, end = start + offset, max(end, start) + offset
    if lines:
        end = min(end, len(lines))
    while end > start and _is_blank_or_comment(lines[end - 1]):
        end -= 1
    return start, end


def item_nodes(node: yaml.Node | None) -> list[yaml.Node] | None:
    """The item nodes of a `List` document's `items`, or None when the node does not have them."""
    value = mapping_value(node, "items")
    if isinstance(value, yaml.SequenceNode):
        return list(value.value)
    return None


def mapping_value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node  # type: ignore[no-any-return]
    return None


def key_line(node: yaml.Node | None, path: Sequence[str], offset: int = 0) -> int | None:
    """The line of the last key of `path` (e.g. metadata, annotations, comply.dev/skip)."""
    for index, key in enumerate(path):
        if not isinstance(node, yaml.MappingNode):
            return None
        found = None
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found = (key_node, value_node)
        if found is None:
            return None
        if index == len(path) - 1:
            return found[0].start_mark.line + 1 + offset
        node = found[1]
    return None


_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
# Scalars the Kubernetes API reads as typed values (go-yaml resolves the same YAML 1.1 set).
_TYPED_SCALARS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null"))


class _Unusual(Exception):
    """A construct the fast path leaves to the safe constructor (merge keys, non-string keys)."""


def _construct(loader: Any, node: yaml.Node, duplicates: list[yaml.Node]) -> Any:
    """The node as Python data, as the Kubernetes API reads YAML (go-yaml, then JSON).

    Plain strings, mappings and sequences (nearly all of a manifest) are built directly; int,
    bool, null and float scalars go through the safe constructor. Other tags never build Python
    objects and never fail the file: a timestamp, the YAML 1.1 value tag (an unquoted `=`, as in
    a CRD enum), `!!binary`, and tags Kubernetes does not know (`!Ref`, `!!python/name:...`) are
    read as their text; a tagged mapping or sequence (`!!set`, `!!omap`, `!custom`) as a plain
    mapping or sequence. Merge keys (`<<`) and non-string keys fall back to the safe constructor
    for the whole document (configured the same way).
    """
    try:
        return _build(node, loader, {}, duplicates)
    except _Unusual:
        duplicates.clear()
        duplicates.append(node)  # the whole document: duplicate_keys() walks it
        return loader.construct_document(node)
    finally:
        loader.constructed_objects = {}


def _build(node: yaml.Node, loader: Any, memo: dict[int, Any], dupes: list[yaml.Node]) -> Any:
    kind = type(node)
    if kind is yaml.ScalarNode:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag in _TYPED_SCALARS:
            return _typed_scalar(loader, node)
        return node.value
    built = memo.get(id(node))  # an alias: the same node, the same object (as PyYAML does)
    if built is not None:
        return built
    if kind is yaml.MappingNode:
        mapping: dict[Any, Any] = {}
        memo[id(node)] = mapping
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR:
                raise _Unusual
            if key_node.value in mapping:
                dupes.append(node)
            mapping[key_node.value] = _build(value_node, loader, memo, dupes)
        return mapping
    sequence: list[Any] = []
    memo[id(node)] = sequence
    sequence.extend(_build(item, loader, memo, dupes) for item in node.value)
    return sequence


def _typed_scalar(loader: Any, node: yaml.Node) -> Any:
    try:
        return loader.construct_object(node)
    except (ValueError, TypeError) as exc:  # `!!int abc`: a YAML error of this file, not a crash
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot read {node.value!r} as {node.tag}: {exc}", node.start_mark
        ) from None


class _CachedResolverLoader(SafeLoader):
    """The safe loader with scalar tag resolution memoised. Resolution is a pure function of
    (node kind, text, implicit flags) for the safe resolver (it has no path resolvers), and
    manifests repeat the same scalars (`true`, `80`, `Always`...) thousands of times: resolving
    each once removes about a fifth of the parse time on a large corpus."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        return _resolve_cached(kind, value, implicit)


def _timestamp_as_text(loader: Any, node: yaml.ScalarNode) -> str:
    """An unquoted `2027-03-31` stays text, as the Kubernetes API reads it (manifests become
    JSON, which has no dates). PyYAML would build a date, and raise a plain ValueError for an
    impossible one such as `2026-02-30`, losing the whole file."""
    return str(loader.construct_scalar(node))


def _as_plain_data(loader: Any, node: yaml.Node) -> Any:
    """A tag Kubernetes ignores: the scalar's text, or a plain mapping or sequence."""
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return str(loader.construct_scalar(node))


_CachedResolverLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
# The fallback path (merge keys, non-string keys) reads every other tag as `_build` does.
for _tag in ("value", "binary", "set", "omap", "pairs"):
    _CachedResolverLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _as_plain_data)
_CachedResolverLoader.add_constructor(None, _as_plain_data)

_PLAIN_RESOLVER = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=65536)
def _resolve_cached(kind: Any, value: Any, implicit: Any) -> Any:
    return _PLAIN_RESOLVER.resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


def _iter_compose(text: str, offset: int, lines: Sequence[str]) -> Iterator[Document]:
    loader = _CachedResolverLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            if "&" in text:  # only a document with anchors has aliases to expand
                check_expansion(node, offset)
            with_duplicates: list[yaml.Node] = []
            data = _construct(loader, node, with_duplicates)
            start, end = node_span(node, lines, offset)
            document = Document(data, start, end, node, offset)
            for mapping in dict.fromkeys(with_duplicates):  # each mapping once, in order
                document.duplicates.extend(duplicate_keys(mapping, offset))
            yield document
    finally:
        loader.dispose()


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _text_span(lines: Sequence[str]) -> tuple[int, int]:
    content = [i for i, line in enumerate(lines, 1) if line.strip()]
    return (content[0], content[-1]) if content else (1, 1)


def _error_line(exc: yaml.YAMLError, offset: int) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return None if mark is None else mark.line + 1 + offset


def _describe(exc: yaml.YAMLError, offset: int) -> str:
    if not isinstance(exc, yaml.MarkedYAMLError):
        return f"invalid YAML: {exc}"
    parts = []
    if exc.context:
        mark = exc.context_mark
        parts.append(exc.context + (f" (line {mark.line + 1 + offset})" if mark else ""))
    if exc.problem:
        parts.append(exc.problem)
    return "invalid YAML: " + "; ".join(parts) if parts else "invalid YAML"
