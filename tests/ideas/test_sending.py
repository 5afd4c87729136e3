"""Sending an idea through the real service and flows, on SQLite and PostgreSQL: what
is stored, the receipt with the idea's number in the resident's language, and the
rules a machine can check (the daily limit, the phase)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from pbbot.domain.messages import Inbound, Location
from pbbot.engine.answers import answer_word
from pbbot.i18n.catalogs import translator
from pbbot.ideas.tables import Idea
from pbbot.runtime import Runtime, build_runtime
from pbbot.storage.tables import OutboundMessage
from tests.conversations.script import LANGUAGES

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
IDEATION = date(2027, 2, 20)
PHONE = "+32470555001"
CHAT = "412300001"
# Turkish, agree, no district, no age; then Ideas (5th) and "Send an idea".
ONBOARD_TR = ["merhaba", "1", "HAYIR", "HAYIR", "5", "1"]


@pytest.fixture
async def runtime(database_url: str) -> Runtime:
    # The day the edition sees and the time the service stores agree, as in production.
    at_ten = datetime(2027, 2, 20, 10, tzinfo=UTC)
    runtime = build_runtime(EDITION, database_url, IDEATION, clock=lambda: at_ten)
    yield runtime  # type: ignore[misc]
    await runtime.close()


async def send(runtime: Runtime, channel: str, address: str, *messages: str | Inbound) -> str:
    """Send each message; the texts of the last replies, one per line."""
    replies = []
    for message in messages:
        inbound = (
            message if isinstance(message, Inbound) else Inbound(channel, address, text=message)
        )  # type: ignore[arg-type]
        replies = await runtime.service.handle(inbound)
    return "\n".join(reply.text for reply in replies)


async def queued(runtime: Runtime, address: str) -> list[tuple[str, str]]:
    async with runtime.sessionmaker() as session:
        rows = await session.execute(
            select(OutboundMessage.locale, OutboundMessage.text)
            .where(OutboundMessage.address == address)
            .order_by(OutboundMessage.id)
        )
        return [(row.locale, row.text) for row in rows]


async def test_a_turkish_resident_sends_an_idea_by_sms(runtime: Runtime) -> None:
    tr = translator("tr")
    await send(runtime, "sms", PHONE, *ONBOARD_TR)
    summary = await send(
        runtime,
        "sms",
        PHONE,
        "Otobüs durağına bank",
        "Yaşlılar otobüs beklerken oturacak bir yer bulamıyor.",
        "1",  # Green
        "12.500 €",
        "Büyük Pazar",
    )
    assert "Otobüs durağına bank" in summary
    assert "€12.500" in summary  # as Turkish writes euros (CLDR)
    menu = await send(runtime, "sms", PHONE, "EVET")

    async with runtime.sessionmaker() as session:
        idea = await session.scalar(select(Idea))
    assert idea is not None
    assert (idea.number, idea.title, idea.theme_id, idea.estimated_cost, idea.place) == (
        1,
        "Otobüs durağına bank",
        "green",
        12500,
        "Büyük Pazar",
    )
    receipt = tr.gettext(
        "Thank you! Your idea has number #{number}. The city team reads every idea "
        "and will let you know what happens to it."
    ).format(number=1)
    assert ("tr", receipt) in await queued(runtime, PHONE)
    assert menu  # and the resident is back at the main menu
    # Nothing of the idea stays in the conversation once it is stored.
    export = await runtime.service.export_resident("sms", PHONE)
    assert export is not None
    assert not any(key.startswith("idea_") for key in export["conversation"]["state"]["answers"])


@pytest.mark.parametrize("locale", ["en", "tr", "ar"])
async def test_on_telegram_a_voice_note_and_a_pin_are_the_description_and_place(
    runtime: Runtime, locale: str
) -> None:
    t = translator(locale)
    no, skip, yes = (answer_word(meaning, t) for meaning in ("no", "skip", "yes"))
    language = str(LANGUAGES.index(locale) + 1)
    # The language, agree, no district, no age, Ideas, Send an idea.
    await send(runtime, "telegram", CHAT, "/start", language, "1", no, no, "5", "1")
    voice = Inbound("telegram", CHAT, media="voice", media_id="AwACAgQAAxkBAAIBt2T1")
    pin = Inbound("telegram", CHAT, location=Location(51.0277, 4.4806))
    await send(runtime, "telegram", CHAT, "A bench at the bus stop", voice, "1", skip, pin)
    summary = await send(runtime, "telegram", CHAT, skip)  # no photo
    assert t.gettext("(a voice message)") in summary
    assert t.gettext("(a location)") in summary
    await send(runtime, "telegram", CHAT, yes)
    async with runtime.sessionmaker() as session:
        idea = await session.scalar(select(Idea))
    assert idea is not None
    assert (idea.description, idea.voice_file_id) == (None, "AwACAgQAAxkBAAIBt2T1")
    assert (idea.latitude, idea.longitude, idea.estimated_cost) == (51.0277, 4.4806, None)


async def test_the_daily_limit_stops_a_flood(runtime: Runtime) -> None:
    await send(runtime, "sms", PHONE, *ONBOARD_TR[:-2])  # at the main menu
    idea = ["Bir fikir başlığı", "Bu fikrin açıklaması yeterince uzun.", "1", "HAYIR", "Yer"]
    for _ in range(5):
        await send(runtime, "sms", PHONE, "5", "1", *idea, "EVET")
    said = await send(runtime, "sms", PHONE, "5", "1")
    full = translator("tr").gettext(
        "You have sent {idea_limit} ideas today, the most for one day. You can send more tomorrow."
    )
    assert full.format(idea_limit="5") in said
    async with runtime.sessionmaker() as session:
        assert len(list(await session.scalars(select(Idea.id)))) == 5


async def test_outside_ideation_the_flow_says_when(database_url: str) -> None:
    runtime = build_runtime(EDITION, database_url, date(2027, 1, 20))  # information phase
    try:
        said = await send(runtime, "sms", PHONE, *ONBOARD_TR)
    finally:
        await runtime.close()
    tr = translator("tr")
    expected = tr.gettext(
        "You can send ideas {ideation_dates}. Until then, read the rules for ideas."
    ).split("{")[0]
    assert expected in said


async def test_the_simulator_shows_the_receipt_as_a_resident_gets_it(database_url: str) -> None:
    at_ten = datetime(2027, 2, 20, 10, tzinfo=UTC)
    runtime = build_runtime(EDITION, database_url, IDEATION, simulated=True, clock=lambda: at_ten)
    try:
        await send(runtime, "sms", PHONE, *ONBOARD_TR)
        idea = ["Bir fikir başlığı", "Bu fikrin açıklaması yeterince uzun.", "1", "HAYIR", "Yer"]
        said = await send(runtime, "sms", PHONE, *idea, "EVET")
    finally:
        await runtime.close()
    receipt = translator("tr").gettext(
        "Thank you! Your idea has number #{number}. The city team reads every idea "
        "and will let you know what happens to it."
    )
    assert said.startswith(receipt.format(number=1))  # before the menu, as on SMS


async def test_a_description_the_phone_split_in_two_sms_is_joined(database_url: str) -> None:
    times = iter(datetime(2027, 2, 20, 10, 0, second, tzinfo=UTC) for second in range(60))
    runtime = build_runtime(EDITION, database_url, IDEATION, clock=lambda: next(times))
    # A 153-character GSM-7 part cut in the middle of a word, as a phone sends it.
    text = (
        "Langs de Dijle staan bijna geen banken, terwijl daar elke dag veel oudere mensen "
        "wandelen en even willen uitrusten voordat ze verder gaan naar de markt of de bushalte."
    )
    first, second = text[:153], text[153:]
    assert first[-1] != " " and second[0] != " "
    try:
        await send(runtime, "sms", PHONE, *ONBOARD_TR)
        await send(runtime, "sms", PHONE, "Banken langs de Dijle", first)
        silence = await send(runtime, "sms", PHONE, second)  # a second later
        await send(runtime, "sms", PHONE, "1", "HAYIR", "Dijle", "EVET")
        async with runtime.sessionmaker() as session:
            idea = await session.scalar(select(Idea))
    finally:
        await runtime.close()
    assert silence == ""  # the theme question was asked already
    assert idea is not None and idea.description == text


async def test_a_short_first_part_is_kept_for_the_rest_and_one_answer_can_be_changed(
    runtime: Runtime,
) -> None:
    tr = translator("tr")
    await send(runtime, "sms", PHONE, *ONBOARD_TR)
    await send(runtime, "sms", PHONE, "Gölgeli oturma yeri", "Yazın çocuklar")  # too short alone
    theme = await send(runtime, "sms", PHONE, "güneşte kalıyor, gölge yok.")
    assert tr.gettext("Which theme fits your idea best?") in theme
    summary = await send(runtime, "sms", PHONE, "1", "bilmiyorum", "Park")  # "I don't know"
    assert "Yazın çocuklar güneşte kalıyor, gölge yok." in summary
    assert tr.gettext("not given") in summary
    # Change only the place: its question leads back to the summary.
    await send(runtime, "sms", PHONE, "2")  # Change it
    asked = await send(runtime, "sms", PHONE, "5")  # The place
    assert tr.gettext("Where should it happen? A street, a square or a neighbourhood.") in asked
    again = await send(runtime, "sms", PHONE, "Stadspark")
    assert "Stadspark" in again and "Yazın çocuklar" in again  # the summary, the rest kept
