"""The decorator behind the registries features add to (option sources, branch
subjects, snapshot loaders, event handlers): one entry per key, a second is a bug."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["registrar"]

K = TypeVar("K")
V = TypeVar("V")


def registrar(registry: dict[K, V], kind: str) -> Callable[[K], Callable[[V], V]]:
    """`registrar(SOURCES, "option source")("themes")` registers what it decorates."""

    def register(name: K) -> Callable[[V], V]:
        def add(value: V) -> V:
            if name in registry:
                raise ValueError(f"{kind} {name!r} is registered twice")
            registry[name] = value
            return value

        return add

    return register
