"""A read-only snapshot of the domain data a step reads: the ideas on a page,
the resident's own ideas, later their draft ballot.

The step stays pure: it never loads anything. Reading a part that is not in
the snapshot raises `SnapshotMissing` inside the engine; the step then stops
without a change and names the part it needs (a `SnapshotNeeded` event), the
conversation service loads it through the loader a feature registered
(`pbbot.conversations.loads`) and runs the step again with the bigger
snapshot. Engine tests hand the step a plain in-memory `Snapshot`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from pbbot.errors import PbbotError

__all__ = ["EMPTY_SNAPSHOT", "Snapshot", "SnapshotMissing"]


class SnapshotMissing(PbbotError):
    """A step read a part of the snapshot that is not loaded. Never leaves
    `engine.step.step`, which turns it into a `SnapshotNeeded` event."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"the snapshot part {name!r} is not loaded")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Parts by name ("ideas.page", "ideas.mine"); their values are the feature's own."""

    parts: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))

    def __getitem__(self, name: str) -> Any:
        if name not in self.parts:
            raise SnapshotMissing(name)
        return self.parts[name]

    def __contains__(self, name: object) -> bool:
        return name in self.parts

    def with_parts(self, more: Mapping[str, Any]) -> Snapshot:
        return Snapshot({**self.parts, **more})


EMPTY_SNAPSHOT = Snapshot()  # a step's first try: nothing loaded
