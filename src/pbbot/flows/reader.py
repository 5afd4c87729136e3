"""Reading one YAML mapping of a flow file with typed fields and errors that name the line."""

from __future__ import annotations

from typing import Any, NoReturn

from pbbot.config.yamlfile import Node, line_of
from pbbot.errors import FlowError

__all__ = ["StepReader"]


class StepReader:
    """A step's (or an option's) mapping; `fail` raises a `FlowError` at the key's line."""

    def __init__(self, node: Any, step_id: str, line: int, source: str):
        self.source = source
        self.step_id = step_id
        self.line = line
        self.node: Node = node if isinstance(node, Node) else Node()
        if not isinstance(node, Node):
            self.fail(f"step '{step_id}' must be a mapping")

    def fail(self, message: str, key: str | None = None) -> NoReturn:
        line = line_of(self.node, key) if key in self.node else self.line
        raise FlowError(message, source=self.source, line=line)

    def get(
        self,
        key: str,
        kind: type | tuple[type, ...],
        *,
        required: bool = False,
        default: Any = None,
    ) -> Any:
        if key not in self.node:
            if required:
                self.fail(f"step '{self.step_id}': missing field '{key}'")
            return default
        value = self.node[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.fail(f"step '{self.step_id}': field '{key}' has the wrong type", key)
        return value

    def key_line(self, key: str) -> int:
        return line_of(self.node, key) or self.line

    def target(self, value: Any, key: str) -> str:
        """A `go` target inside `cases` or `exits`."""
        if not isinstance(value, str):
            self.fail(f"step '{self.step_id}': every target in '{key}' must be a text", key)
        return value
