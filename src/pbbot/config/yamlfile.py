"""YAML that remembers where things were written, so errors can name file and line.

Mappings load as `Node` dicts that know their own line and the line of each key;
scalars and lists load as plain Python values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from pbbot.errors import ConfigurationError

__all__ = ["Node", "line_of", "load_yaml"]


class Node(dict[str, Any]):
    """A YAML mapping with `line` (1-based) and `key_lines` (key -> 1-based line)."""

    line: int
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Node:  # type: ignore[override]
        mapping = Node()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            key = str(key)
            if key in mapping:
                raise ConfigurationError(
                    f"duplicate key {key!r}", source=None, line=key_node.start_mark.line + 1
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping


# Dates stay strings (the edition parser checks them with a clear message), and
# only true/false are booleans: YAML 1.1 would read `on:` or `no` as booleans.
_IMPLICIT_KEPT = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _IMPLICIT_KEPT]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _mapping(loader: yaml.SafeLoader, node: yaml.Node) -> Node:
    assert isinstance(loader, _LineLoader) and isinstance(node, yaml.MappingNode)
    return loader.construct_mapping(node, deep=True)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def line_of(mapping: Any, key: str | None = None) -> int | None:
    """The line of `key` in `mapping` (or of the mapping itself), when known."""
    if not isinstance(mapping, Node):
        return None
    if key is not None and key in mapping.key_lines:
        return mapping.key_lines[key]
    return mapping.line


def load_yaml(path: Path, error: type[ConfigurationError] = ConfigurationError) -> Any:
    """Parse `path`; syntax errors become `error` with the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror}", source=str(path)) from None
    try:
        return yaml.load(text, Loader=_LineLoader)
    except ConfigurationError as exc:
        raise error(exc.message, source=str(path), line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise error(
            f"not valid YAML: {exc.problem}", source=str(path), line=mark.line + 1 if mark else None
        ) from None
