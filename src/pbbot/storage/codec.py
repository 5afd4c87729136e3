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
from typing import Any, get_args

from pbbot.domain.messages import Choice, Inbound, Location
from pbbot.engine.events import Event, MessageCreated

__all__ = [
    "choices_from_json",
    "choices_to_json",
    "event_record",
    "inbound_from_json",
    "inbound_to_json",
]

# Fields of events that never reach the audit log: what a resident typed or
# answered may be anything (a phone number, later a ballot). The log keeps
# which question was answered, never the answer.
_UNSTORED_EVENT_FIELDS = frozenset({"text", "value"})


_INBOUND_FIELDS = tuple(field.name for field in dataclasses.fields(Inbound))


def inbound_to_json(inbound: Inbound) -> dict[str, Any]:
    # Field by field, not dataclasses.asdict (which deep-copies): it runs per message.
    data = {name: getattr(inbound, name) for name in _INBOUND_FIELDS}
    if inbound.location is not None:
        data["location"] = {
            "latitude": inbound.location.latitude,
            "longitude": inbound.location.longitude,
        }
    if inbound.received_at is not None:
        data["received_at"] = inbound.received_at.isoformat()
    return data


def inbound_from_json(data: dict[str, Any]) -> Inbound:
    location = data.get("location")
    received_at = data.get("received_at")
    return Inbound(
        **{
            # Fields of older versions (the channel's `keyword`) are left out.
            **{name: value for name, value in data.items() if name in _INBOUND_FIELDS},
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
    shape = _EVENT_SHAPES.get(type(event))
    if shape is None:  # a feature's event: worked out on first sight
        shape = _EVENT_SHAPES[type(event)] = _event_shape(type(event))
    type_name, stored = shape
    return type_name, {name: _plain(getattr(event, name)) for name in stored}


def _event_shape(event_type: type[Any]) -> tuple[str, tuple[str, ...]]:
    """An event class's row type and the fields it stores."""
    type_name = re.sub(r"(?<!^)(?=[A-Z])", "_", event_type.__name__).lower()
    logged: tuple[str, ...] | None = getattr(event_type, "logged", None)
    stored = tuple(
        field.name
        for field in dataclasses.fields(event_type)
        if field.name not in _UNSTORED_EVENT_FIELDS and (logged is None or field.name in logged)
    )
    return type_name, stored


# Worked out once per event class, not once per event.
_EVENT_SHAPES: dict[type[Any], tuple[str, tuple[str, ...]]] = {
    event_type: _event_shape(event_type) for event_type in get_args(Event)
}


def _plain(value: Any) -> Any:
    """A JSON-ready copy of an event field (answers may be dicts, e.g. a location)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value
