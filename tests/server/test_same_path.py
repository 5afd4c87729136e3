"""The simulator is the real path: a transcript typed into `pbbot chat` reads the
same as when the same messages arrive through the Twilio and Telegram webhooks.

Both sides start from the very wire messages (`SimulatedResident.wire`): the
simulator parses them in process, the server receives them over HTTP, signed
as Twilio signs, and sends its answers through the outbox to the fake
providers. What the resident would read must be identical, turn by turn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from pbbot.channels.sim.wire import SimulatedResident
from pbbot.channels.sms.render import render_sms
from pbbot.channels.telegram.render import render_telegram
from pbbot.domain.messages import Outbound
from pbbot.runtime import build_runtime
from pbbot.storage.migrations import upgrade
from tests.conftest import sqlite_url
from tests.conversations.script import SCRIPTS, parse, typed
from tests.fakes.twilio_http import AUTH_TOKEN
from tests.server.harness import EDITION, PUBLIC_URL, RESIDENT_PHONE, TODAY, City, running_city

# Transcripts with what differs most between channels: carrier words, taps, re-prompts.
COMPARED = [path for path in SCRIPTS if path.stem in {"onboarding", "stop_start", "invalid_input",
                                                      "consent_declined", "help"}]  # fmt: skip


def _rendered(messages: list[Outbound], channel: str) -> list[str]:
    if channel == "sms":
        return [render_sms(message) for message in messages]
    return [part.text for message in messages for part in render_telegram(message)]


async def _through_the_simulator(
    path: Path, locale: str, channel: str, tmp_path: Path
) -> list[list[str]]:
    url = sqlite_url(tmp_path / "sim.db")
    await upgrade(url)
    runtime = build_runtime(EDITION, url, TODAY, simulated=True)
    resident = SimulatedResident(channel, RESIDENT_PHONE)
    turns = []
    try:
        for line in parse(path):
            if line.kind != ">":
                continue
            update = resident.update(typed(line.text, locale, channel))
            replies = await runtime.service.handle(update.inbound, key=update.key)
            resident.saw(next(([c.payload for c in m.choices] for m in reversed(replies)
                               if m.choices), []))  # fmt: skip
            turns.append(_rendered(replies, channel))
    finally:
        await runtime.close()
    return turns


async def _post(city: City, channel: str, wire: dict[str, Any]) -> None:
    if channel == "sms":
        form = {name: str(value) for name, value in wire.items()}
        url = PUBLIC_URL + "/sms/twilio"
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
        response = await city.client.post(
            "/sms/twilio", data=form, headers={"X-Twilio-Signature": str(signature)}
        )
    else:
        response = await city.telegram(wire)
    assert response.status == 200, await response.text()


def _buttons(call_params: dict[str, Any]) -> list[str]:
    markup = call_params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    rows = markup.get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


async def _through_the_webhooks(
    path: Path, locale: str, channel: str, tmp_path: Path
) -> list[list[str]]:
    url = sqlite_url(tmp_path / "city.db")
    await upgrade(url)
    resident = SimulatedResident(channel, RESIDENT_PHONE)
    turns = []
    async with running_city(url) as city:
        for line in parse(path):
            if line.kind != ">":
                continue
            sms_before = len(city.sms_bodies())
            telegram_before = len(city.telegram_api.calls_to("sendMessage"))
            await _post(city, channel, resident.wire(typed(line.text, locale, channel)))
            await city.settle()
            if channel == "sms":
                turns.append(city.sms_bodies()[sms_before:])
                continue
            calls = city.telegram_api.calls_to("sendMessage")[telegram_before:]
            turns.append([str(call.params["text"]) for call in calls])
            shown = [buttons for buttons in map(_buttons, (c.params for c in calls)) if buttons]
            resident.saw(shown[-1] if shown else [])
    return turns


@pytest.mark.parametrize("channel", ["sms", "telegram"])
@pytest.mark.parametrize("locale", ["nl", "ar"])
@pytest.mark.parametrize("path", COMPARED, ids=lambda path: path.stem)
async def test_the_simulator_and_the_webhooks_say_the_same(
    path: Path, locale: str, channel: str, tmp_path: Path
) -> None:
    simulated = await _through_the_simulator(path, locale, channel, tmp_path)
    live = await _through_the_webhooks(path, locale, channel, tmp_path)
    assert any(simulated), "the transcript got answers"
    assert simulated == live
