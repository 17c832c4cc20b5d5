"""The YAML reader: safe loaders only, the same data as yaml.safe_load, lines per document."""

from __future__ import annotations

import pytest
import yaml

from scanner.sources.kubernetes.documents import LIBYAML, ParseError, iter_yaml, parse_yaml
from tests.sources.kubernetes.conftest import FIXTURES

UNUSUAL = """\
defaults: &defaults {cpu: 100m, replicas: 2, ratio: 2.5, on: yes, when: 2024-01-31, none: null}
a: *defaults
b:
  <<: *defaults
  tagged: !!str 12
1: an int key
nested: [[1, 2], {x: [a, b]}]
"""


class KubernetesSafeLoader(yaml.SafeLoader):
    """yaml.safe_load as the Kubernetes API reads YAML: dates stay text (JSON has none)."""


KubernetesSafeLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def safe_load_all(text):
    return list(yaml.load_all(text, Loader=KubernetesSafeLoader))


@pytest.mark.parametrize("text", [UNUSUAL, "", "---\n---\n", "- a\n- b\n", "just a string\n"])
def test_same_data_as_safe_load(text):
    assert [d.data for d in parse_yaml(text).documents] == safe_load_all(text)


def test_dates_stay_text_even_impossible_ones():
    (document,) = parse_yaml("a: 2027-03-31\nb: 2026-02-30\n").documents
    assert document.data == {"a": "2027-03-31", "b": "2026-02-30"}


def test_every_fixture_reads_as_safe_load_reads_it():
    for path in sorted(FIXTURES.rglob("*.yaml")):
        text = path.read_text()
        try:
            expected = safe_load_all(text)
        except yaml.YAMLError:
            continue
        assert [d.data for d in parse_yaml(text).documents] == expected, path


def test_libyaml_is_used_when_available():
    assert bool(getattr(yaml, "__with_libyaml__", False)) == LIBYAML


def test_document_spans():
    text = "# lead\n---\na: 1\nb:\n  - x\n# trailing\n---\nc: 2\n"
    parsed = parse_yaml(text)
    assert [(d.start_line, d.end_line) for d in parsed.documents] == [(3, 5), (8, 8)]


def test_streamed_documents_come_once_each_when_the_stream_breaks_midway():
    good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n"
    text = "---\n".join(
        [good.format("a"), good.format("b"), "key: [unclosed\n", good.format("c"), good.format("d")]
    )
    lines = text.splitlines()
    items = list(iter_yaml(text, lines))
    names = [i.data["metadata"]["name"] for i in items if not isinstance(i, ParseError)]
    assert names == ["a", "b", "c", "d"]
    [error] = [i for i in items if isinstance(i, ParseError)]
    assert error.line == 11


def test_the_cyclic_collector_is_paused_while_loading_and_restored(tmp_path):
    import gc

    from scanner.core.gc_pause import cyclic_gc_paused

    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
