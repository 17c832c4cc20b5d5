"""Bounded YAML: a cap on how large a document is once its aliases are expanded, and the
duplicate keys that YAML lets the last one win silently.

A 474-byte alias bomb (`a: &a [x, x]`, `b: &b [*a, *a]`, ... nine levels) composes to a few
nodes but is a billion once written out, and every output format writes it out. The composed
node graph is measured with each distinct node counted once but weighted by how often it is
reached, so the check costs as many steps as there are distinct nodes, however large the
expansion.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

# docs/security.md, "Input caps": nodes of one YAML document once its aliases are expanded.
MAX_EXPANDED_NODES = 1_000_000


class YamlTooLarge(Exception):
    """A document whose aliases expand past MAX_EXPANDED_NODES; `line` is where it starts."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class DuplicateKey:
    key: str
    line: int  # of the later key, the one that wins (1-based, in the composed text)
    first_line: int


def check_expansion(node: yaml.Node, line_offset: int = 0) -> None:
    """Raise YamlTooLarge when `node`, with aliases expanded, has more than the cap of nodes."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        if id(current) in sizes:
            continue
        children = _children(current)
        if not children_done:
            stack.append((current, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        # A child not yet sized is on the path to itself (a recursive alias, which only the
        # constructor rejects): count it as one node; composing did not expand it either.
        total = 1 + sum(sizes.get(id(child), 1) for child in children)
        if total > MAX_EXPANDED_NODES:
            raise YamlTooLarge(
                f"document expands to more than {MAX_EXPANDED_NODES:,} nodes once its aliases "
                "are expanded (an alias bomb?); not loaded",
                node.start_mark.line + 1 + line_offset,
            )
        sizes[id(current)] = total


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def duplicate_keys(node: yaml.Node, line_offset: int = 0) -> list[DuplicateKey]:
    """Keys written twice in one mapping, anywhere in the document (each mapping once)."""
    found: list[DuplicateKey] = []
    seen_nodes: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, _value in current.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                    line = key_node.start_mark.line + 1 + line_offset
                    if key_node.value in first:
                        found.append(DuplicateKey(key_node.value, line, first[key_node.value]))
                    else:
                        first[key_node.value] = line
        stack.extend(_children(current))
    return sorted(found, key=lambda d: d.line)
