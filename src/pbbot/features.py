"""The feature packages of this pbbot, imported before the flows load.

Importing a feature's modules registers what it adds, so the engine and the
service never name a feature. Each feature has two parts: what the engine
needs to load and run its flows (actions, option sources, variables, branch
subjects: pure, and all `pbbot flows check` needs), and what the service
needs to run them on stored data (event handlers, snapshot loaders, personal
data for export and erasure).
"""

from __future__ import annotations

import importlib

__all__ = ["ENGINE_PARTS", "SERVICE_PARTS", "load_features"]

ENGINE_PARTS: tuple[str, ...] = (
    "pbbot.ideas.actions",
    "pbbot.ideas.browsing",
    "pbbot.ideas.discussing",
    "pbbot.ideas.mine",
    "pbbot.voting.eligibility",
    "pbbot.voting.choosing",
    "pbbot.voting.vessels",
    "pbbot.voting.results_chat",
)
SERVICE_PARTS: tuple[str, ...] = (
    "pbbot.ideas.handlers",
    "pbbot.ideas.snapshots",
    "pbbot.ideas.personal_data",
    "pbbot.voting.snapshots",
    "pbbot.voting.handlers",
    "pbbot.voting.personal_data",
    "pbbot.voting.results_snapshots",
    "pbbot.ideas.audience",
    "pbbot.voting.audience",
)


def load_features(*, service: bool = True) -> None:
    """Import the features' modules; `service=False`: only their engine parts
    (no database library loads). A second call does nothing: imports are kept."""
    for name in ENGINE_PARTS + (SERVICE_PARTS if service else ()):
        importlib.import_module(name)
