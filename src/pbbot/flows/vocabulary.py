"""What the engine and the features offer flows, for validation to check names against.

The engine sits above this layer, so it hands its registries in as a
`Vocabulary` when it loads the flows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

__all__ = ["ActionSignature", "Vocabulary"]


@dataclass(frozen=True, slots=True)
class ActionSignature:
    """What an action declares: the exits it can take, the answers it records
    and the texts (`{name}` placeholders) it provides for the next messages."""

    exits: tuple[str, ...] = ("ok",)
    answers: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Names the engine provides, which flows may use."""

    actions: Mapping[str, ActionSignature]
    option_sources: Collection[str]
    variables: Collection[str]
    # Exact subjects ("phase", "edition.districts"); `answer.NAME` is checked
    # against the answers the flows record instead.
    branch_subjects: Collection[str]
    required_flows: Collection[str]
    entry_steps: Collection[str] = ()  # "flow/step" the engine jumps to directly
    image_sources: Collection[str] = ()  # what a step's `image: NAME` may name
