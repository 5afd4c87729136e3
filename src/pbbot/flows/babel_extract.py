"""Babel extraction method for flow YAML, so `pybabel extract` collects flow texts too.

Flow texts and Python texts go into one template (`locales/pbbot.pot`). A
resident-facing text is the string value of a key `text`, `label`, `error` or
`help` anywhere in a flow, or an item of a list under `texts`. A text that
depends on a count is a mapping `{one: ..., other: ...}` and becomes an
ngettext entry. Line numbers come from the YAML node marks, so a translator's
location comment points at the line in the flow file.

Registered as the `pbbot_flows` extractor (entry point `babel.extractors`); in
`babel.cfg` either through that name or through an `[extractors]` section.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["PLURAL_FUNCTION", "TEXT_KEYS", "TEXT_LIST_KEY", "extract_flow_texts"]

TEXT_KEYS = frozenset({"text", "label", "error", "help"})
TEXT_LIST_KEY = "texts"
# Plural texts are reported as calls of this keyword so Babel keeps both forms.
PLURAL_FUNCTION = "ngettext"

_STR_TAG = "tag:yaml.org,2002:str"
_PLURAL_KEYS = frozenset({"one", "other"})

# (lineno, funcname, message or (singular, plural), translator comments)
Extracted = tuple[int, str | None, str | tuple[str, str], list[str]]


def extract_flow_texts(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Yield every resident-facing text of one flow file (Babel's extractor protocol).

    A file that is not valid YAML yields nothing here: `pbbot flows check`
    reports it with its line, and extraction should not hide that report
    behind a traceback.
    """
    try:
        documents = list(yaml.compose_all(fileobj, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return
    for document in documents:
        if document is not None:
            yield from _texts_in(document)


def _texts_in(node: Node) -> Iterator[Extracted]:
    if isinstance(node, SequenceNode):
        for item in node.value:
            yield from _texts_in(item)
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else None
            if name in TEXT_KEYS and (found := _text(value)) is not None:
                yield found
            elif name == TEXT_LIST_KEY and isinstance(value, SequenceNode):
                for item in value.value:
                    found = _text(item)
                    if found is not None:
                        yield found
                    else:
                        yield from _texts_in(item)
            else:
                yield from _texts_in(value)


def _text(node: Node) -> Extracted | None:
    """The text a node holds: a plain string or a `{one, other}` plural pair."""
    line = node.start_mark.line + 1
    if _is_string(node) and node.value.strip():
        return line, None, node.value, []
    if isinstance(node, MappingNode):
        forms = {key.value: value for key, value in node.value if isinstance(key, ScalarNode)}
        if set(forms) == _PLURAL_KEYS and all(_is_string(form) for form in forms.values()):
            return line, PLURAL_FUNCTION, (forms["one"].value, forms["other"].value), []
    return None


def _is_string(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _STR_TAG
