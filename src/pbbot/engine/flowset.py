"""Loading the deployment's flows with everything the engine offers them."""

from __future__ import annotations

import os
from pathlib import Path

from pbbot.engine.actions import ACTION_EXITS
from pbbot.engine.options import OPTION_SOURCES
from pbbot.engine.variables import VARIABLES
from pbbot.flows.loader import Vocabulary, load_flows
from pbbot.flows.model import FlowSet

__all__ = ["ENGINE_VOCABULARY", "REQUIRED_FLOWS", "flows_dir", "load_engine_flows"]

# Flows the engine itself jumps to: new residents, global words, too many misses.
REQUIRED_FLOWS = ("onboarding", "main_menu", "help", "language", "stop")

ENGINE_VOCABULARY = Vocabulary(
    actions=ACTION_EXITS,
    option_sources=OPTION_SOURCES.keys(),
    # `count`, `min` and `max` are filled in by re-prompts.
    variables=set(VARIABLES) | {"count", "min", "max"},
    branch_subjects=("phase", "channel", "onboarded", "consented", "answer.*", "edition.*"),
    required_flows=REQUIRED_FLOWS,
    entry_steps=("onboarding/consent", "onboarding/consent_needed", "help/stuck"),
)


def flows_dir() -> Path:
    """`PBBOT_FLOWS_DIR`, else the `flows/` folder beside `src/`."""
    configured = os.environ.get("PBBOT_FLOWS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / "flows"


def load_engine_flows(folder: Path | None = None) -> FlowSet:
    return load_flows(folder or flows_dir(), ENGINE_VOCABULARY)
