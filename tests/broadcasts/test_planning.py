"""The dry run staff read before confirming: residents per channel and
language, SMS segments and their cost, how long it takes at the limits, and
the warnings; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.broadcasts.audience import parse_segment
from pbbot.broadcasts.content import Content, catalog_content, staff_content
from pbbot.broadcasts.planning import (
    Plan,
    format_duration,
    plan_broadcast,
    plan_lines,
    plan_warnings,
)
from pbbot.config.edition_file import load_edition
from pbbot.i18n.catalogs import translator
from pbbot.outbox.limits import default_limits
from pbbot.storage.phases import move_phase
from pbbot.storage.tables import Resident

EDITION = load_edition(Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml")
NOW = datetime(2027, 4, 14, 8, 0, tzinfo=UTC)
PRICE = Decimal("0.08")
VOTING = catalog_content("voting", EDITION)
Sessions = async_sessionmaker[AsyncSession]


async def residents(sessions: Sessions, channel: str, locale: str, count: int) -> None:
    async with sessions.begin() as session:
        start = await session.scalar(select(func.count()).select_from(Resident)) or 0
        rows = [
            {
                "channel": channel,
                "address": f"+3247{start + n:07d}" if channel == "sms" else str(start + n),
                "locale": locale,
                "created_at": NOW,
            }
            for n in range(count)
        ]
        await session.execute(insert(Resident), rows)


async def plan(
    sessions: Sessions,
    content: Content = VOTING,
    *specs: str,
    price: Decimal | None = PRICE,
    sms_per_second: float = 1.0,
) -> Plan:
    async with sessions() as session:
        return await plan_broadcast(
            session,
            EDITION,
            content,
            parse_segment(specs, EDITION),
            limits=default_limits(sms_per_second),
            segment_price=price,
            now=NOW,
        )


async def test_turkish_sms_costs_two_segments_each(sessionmaker: Sessions) -> None:
    await residents(sessionmaker, "sms", "tr", 3)
    dry = await plan(sessionmaker)
    (turkish,) = dry.languages
    assert (turkish.locale, turkish.sms, turkish.telegram) == ("tr", 3, 0)
    assert (turkish.sms_size.encoding, turkish.sms_size.segments) == ("UCS-2", 2)
    assert (dry.sms_segments, dry.cost) == (6, Decimal("0.48"))
    assert "SMS: 6 segments, estimated cost €0.48 (€0.08 a segment)" in plan_lines(dry, EDITION)
    assert dry.seconds["sms"] == 6.0


async def test_telegram_at_25_a_second(sessionmaker: Sessions) -> None:
    await residents(sessionmaker, "telegram", "nl", 50)
    dry = await plan(sessionmaker)
    assert (dry.residents, dry.sms_segments, dry.cost, dry.duration) == (50, 0, Decimal(0), 2.0)
    assert "Time at the limits: Telegram 2 s at 25/s; about 2 s" in plan_lines(dry, EDITION)
    assert dry.warnings == []


async def test_the_channels_send_side_by_side(sessionmaker: Sessions) -> None:
    await residents(sessionmaker, "telegram", "fr", 250)  # 10 s at 25/s
    await residents(sessionmaker, "sms", "en", 30)  # 30 segments at 2/s: 15 s
    dry = await plan(sessionmaker, sms_per_second=2.0)
    assert dict(dry.seconds) == {"telegram": 10.0, "sms": 15.0}
    assert dry.duration == 15.0
    assert dry.channels == {"telegram": 250, "sms": 30}


async def test_the_dry_run_as_staff_read_it(sessionmaker: Sessions) -> None:
    await residents(sessionmaker, "telegram", "nl", 1200)
    await residents(sessionmaker, "sms", "nl", 800)
    await residents(sessionmaker, "sms", "ar", 10)
    await residents(sessionmaker, "telegram", "tr", 5)
    assert plan_lines(await plan(sessionmaker), EDITION) == [
        "Content: message voting",
        "Audience: everyone",
        "Recipients: 2,015 (Telegram 1,205, SMS 810)",
        "  nl: 2,000: Telegram 1,200, SMS 800 x 1 segment (GSM-7) = 800 segments",
        "  tr: 5: Telegram 5",
        "  ar: 10: SMS 10 x 2 segments (UCS-2) = 20 segments",
        "SMS: 820 segments, estimated cost €65.60 (€0.08 a segment)",
        "Time at the limits: Telegram 49 s at 25/s, SMS 13 min 40 s at 1 segment/s; "
        "about 13 min 40 s",
        "Texts:",
        "  nl: Je kunt stemmen tot en met 9 mei 2027: kies projecten voor €\u00a0600.000. "
        "Stuur MENU om te stemmen.",
        "  tr: Oylama 9 Mayıs 2027 tarihine kadar açık: €600.000 tutarındaki bütçe "
        "için projeleri seçin. Oy vermek için MENÜ yazın.",
        "  ar: التصويت مفتوح حتى 9 مايو 2027: اختر مشاريع بقيمة \u200f600,000\u00a0€. "
        "أرسل «قائمة» للتصويت.",
    ]


async def test_a_segment_is_planned_for_its_residents_only(sessionmaker: Sessions) -> None:
    await residents(sessionmaker, "telegram", "nl", 4)
    await residents(sessionmaker, "sms", "fr", 2)
    dry = await plan(sessionmaker, VOTING, "channel=sms")
    assert [(language.locale, language.residents) for language in dry.languages] == [("fr", 2)]
    assert plan_lines(dry, EDITION)[1] == "Audience: channel=sms"


async def test_without_a_price_the_cost_is_unknown(sessionmaker: Sessions) -> None:
    await residents(sessionmaker, "sms", "en", 2)
    dry = await plan(sessionmaker, price=None)
    assert dry.cost is None
    lines = plan_lines(dry, EDITION)
    assert "SMS: 2 segments, cost unknown (no price set)" in lines
    assert "  - No SMS price is set (PBBOT_SMS_SEGMENT_PRICE): the cost is unknown." in lines


async def test_a_message_about_another_phase_is_flagged(sessionmaker: Sessions) -> None:
    await residents(sessionmaker, "telegram", "nl", 2)
    assert (await plan(sessionmaker)).warnings == []  # 14 April: voting runs
    ideation = catalog_content("ideation", EDITION)
    assert (await plan(sessionmaker, ideation)).warnings == [
        "This message is about the ideation phase, but the phase now is voting."
    ]
    # Staff closed voting early by hand: its reminder would now mislead.
    async with sessionmaker.begin() as session:
        await move_phase(session, EDITION, "results", by="An", now=NOW - timedelta(hours=1))
    reminder = catalog_content("voting_reminder", EDITION)
    assert (await plan(sessionmaker, reminder)).warnings == [
        "This message is about the voting phase, but the phase now is results."
    ]


async def test_staff_are_warned_of_languages_without_their_text(sessionmaker: Sessions) -> None:
    for locale in ("nl", "fr", "tr", "ar"):
        await residents(sessionmaker, "telegram", locale, 1)
    texts = staff_content({"nl": "Stemmen kan nu.", "fr": "Le vote est ouvert."}, EDITION)
    dry = await plan(sessionmaker, texts)
    assert dry.warnings == ["No text for tr and ar: they get the nl text."]
    lines = plan_lines(dry, EDITION)
    assert lines[0] == "Content: staff text in nl, fr"
    assert lines[-2:] == [
        "  tr (the nl text): Stemmen kan nu.",
        "  ar (the nl text): Stemmen kan nu.",
    ]
    # The staff chat shows the warnings in the staff member's language.
    assert plan_warnings(dry, translator("nl")) == [
        "Geen tekst voor tr en ar: zij krijgen de tekst in nl."
    ]


async def test_a_character_outside_gsm7_is_named(sessionmaker: Sessions) -> None:
    await residents(sessionmaker, "sms", "fr", 1)
    await residents(sessionmaker, "sms", "tr", 1)  # Turkish needs UCS-2 anyway: no warning
    texts = staff_content(
        {"nl": "Buurtfeest!", "fr": "Fête de quartier\u202f!", "tr": "Mahalle şenliği!"}, EDITION
    )
    dry = await plan(sessionmaker, texts)
    assert dry.warnings == [
        "The fr SMS has characters outside GSM-7 (ê): a segment holds 70 characters instead of 160."
    ]


async def test_nobody_matches(sessionmaker: Sessions) -> None:
    await residents(sessionmaker, "telegram", "nl", 1)
    dry = await plan(sessionmaker, VOTING, "channel=sms")
    assert (dry.residents, dry.languages, dry.duration) == (0, (), 0.0)
    assert plan_lines(dry, EDITION) == [
        "Content: message voting",
        "Audience: channel=sms",
        "Recipients: 0",
        "Warnings:",
        "  - No resident matches this audience.",
    ]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0 s"),
        (1.2, "2 s"),
        (50 / 25, "2 s"),
        (120, "2 min"),
        (200, "3 min 20 s"),
        (3600, "1 h"),
        (100_000 / 25, "1 h 7 min"),  # 100,000 Telegram residents at 25/s
        (200_000, "55 h 33 min"),  # 100,000 two-segment SMS at 1 segment/s
    ],
)
def test_durations_read_as_staff_say_them(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown
