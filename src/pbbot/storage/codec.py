"""JSON forms of the values pbbot stores: inbound messages, choices and engine events.

Events are stored for audit and reach statistics, so what they keep is chosen
with privacy in mind: a resident's raw input may hold anything (a ballot, a
phone number), so `text` fields are never stored, and a `MessageCreated` is not
an event row at all (its message is the outbox row).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any

from pbbot.domain.messages import Choice, Inbound, Location
from pbbot.engine.events import Event, MessageCreated

__all__ = [
    "choices_from_json",
    "choices_to_json",
    "event_record",
    "inbound_from_json",
    "inbound_to_json",
]

# Fields of events that never reach the audit log.
_UNSTORED_EVENT_FIELDS = frozenset({"text"})


def inbound_to_json(inbound: Inbound) -> dict[str, Any]:
    data = dataclasses.asdict(inbound)
    if inbound.received_at is not None:
        data["received_at"] = inbound.received_at.isoformat()
    return data


def inbound_from_json(data: dict[str, Any]) -> Inbound:
    location = data.get("location")
    received_at = data.get("received_at")
    return Inbound(
        **{
            **data,
            "location": Location(**location) if location else None,
            "received_at": datetime.fromisoformat(received_at) if received_at else None,
        }
    )


def choices_to_json(choices: tuple[Choice, ...]) -> list[dict[str, str]]:
    return [{"payload": choice.payload, "label": choice.label} for choice in choices]


def choices_from_json(data: list[dict[str, str]]) -> tuple[Choice, ...]:
    return tuple(Choice(payload=item["payload"], label=item["label"]) for item in data)


def event_record(event: Event) -> tuple[str, dict[str, Any]] | None:
    """The (type, data) row stored for an engine event, or None if it is not stored.

    `type` is the class name in snake case: `AnswerRecorded` is `answer_recorded`.
    """
    if isinstance(event, MessageCreated):
        return None
    type_name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(event).__name__).lower()
    data = {
        name: value
        for name, value in dataclasses.asdict(event).items()
        if name not in _UNSTORED_EVENT_FIELDS
    }
    return type_name, data
