"""Loading the deployment's flows with everything the engine and the loaded
features offer them (call `pbbot.features.load_features()` first)."""

from __future__ import annotations

import os
from pathlib import Path

from pbbot.engine.actions import ACTION_SIGNATURES
from pbbot.engine.images import IMAGE_SOURCES
from pbbot.engine.options import OPTION_SOURCES
from pbbot.engine.subjects import BRANCH_SUBJECTS
from pbbot.engine.variables import VARIABLES
from pbbot.flows.loader import load_flows
from pbbot.flows.model import FlowSet
from pbbot.flows.vocabulary import Vocabulary

__all__ = ["REQUIRED_FLOWS", "engine_vocabulary", "flows_dir", "load_engine_flows"]

# Flows the engine itself jumps to: new residents, global words, too many misses.
REQUIRED_FLOWS = ("onboarding", "main_menu", "help", "language", "stop")


def engine_vocabulary() -> Vocabulary:
    """What is registered now: the engine's own names and those of the features loaded."""
    return Vocabulary(
        actions=dict(ACTION_SIGNATURES),
        option_sources=frozenset(OPTION_SOURCES),
        variables=frozenset(VARIABLES),
        branch_subjects=frozenset(BRANCH_SUBJECTS),
        required_flows=REQUIRED_FLOWS,
        entry_steps=("onboarding/consent", "onboarding/consent_needed", "help/stuck"),
        image_sources=frozenset(IMAGE_SOURCES),
    )


def flows_dir() -> Path:
    """`PBBOT_FLOWS_DIR`, else the `flows/` folder beside `src/`."""
    configured = os.environ.get("PBBOT_FLOWS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / "flows"


def load_engine_flows(folder: Path | None = None) -> FlowSet:
    return load_flows(folder or flows_dir(), engine_vocabulary())
