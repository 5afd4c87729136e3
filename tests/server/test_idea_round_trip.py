"""An idea's whole round trip through `pbbot serve`'s application, on both databases:
a Turkish resident sends an idea by SMS (Twilio webhook), staff accept it from the
Telegram staff chat, and the resident gets the decision in Turkish by SMS; an
Arabic resident's idea sent on Telegram is rejected, and its author gets the
reason in Arabic. Every message goes through the real parsers, engine, outbox
and the fake provider APIs on loopback."""

from __future__ import annotations

from sqlalchemy import select

from pbbot.i18n.catalogs import translator
from pbbot.ideas import messages
from pbbot.ideas.criteria import criterion_sentence
from pbbot.ideas.tables import Idea
from tests.fakes.telegram_updates import RESIDENT_ID, text_message
from tests.server.harness import City, running_city
from tests.server.test_staff_chat import STAFF, from_staff, texts_to

TURKISH_IDEA = [
    "merhaba",
    "1",  # agree
    "HAYIR",  # no district
    "HAYIR",  # no age
    "5",  # Ideas
    "1",  # Send an idea
    "Otobüs durağına bank",
    "Yaşlılar otobüs beklerken oturacak bir yer bulamıyor.",
    "1",  # Green
    "12.500 €",
    "Büyük Pazar",
    "EVET",
]
ARABIC_IDEA = [
    "/start",
    "5",  # العربية
    "1",  # agree
    "لا",  # no district
    "لا",  # no age
    "5",  # Ideas
    "1",  # Send an idea
    "ملعب صغير للأطفال",
    "لا يوجد مكان آمن يلعب فيه الأطفال في حينا.",
    "3",  # Youth
    "لا أعرف",
    "ساحة المحطة",
    "لا",  # no photo
    "نعم",
]


async def _sms_all(city: City, texts: list[str]) -> None:
    for number, text in enumerate(texts):
        response = await city.sms(text, sid=f"SM{number:032d}")
        assert response.status == 200
        await city.settle()


async def _telegram_all(city: City, texts: list[str], *, first_update: int) -> None:
    for number, text in enumerate(texts):
        update = text_message(text, update_id=first_update + number, language_code="ar")
        assert (await city.telegram(update)).status == 200
        await city.settle()


async def test_ideas_sent_by_sms_and_telegram_and_decided_in_the_staff_chat(
    database_url: str,
) -> None:
    tr, ar = translator("tr"), translator("ar")
    settings = {"PBBOT_STAFF_TELEGRAM_IDS": str(STAFF)}
    async with running_city(database_url, settings=settings) as city:
        await _sms_all(city, TURKISH_IDEA)
        receipt = messages.receipt_text(1, tr)
        assert receipt in city.sms_bodies()

        await _telegram_all(city, ARABIC_IDEA, first_update=815100000)
        assert messages.receipt_text(2, ar) in texts_to(city, RESIDENT_ID)

        await city.telegram(from_staff("/accept 1 12500", update_id=815200001))
        await city.telegram(from_staff("/reject 2 in_city", update_id=815200002))
        await city.settle()

        accepted = tr.gettext(messages.ACCEPTED).split("{")[0]
        assert any(body.startswith(accepted) for body in city.sms_bodies()[1:])
        to_arabic_author = "\n".join(texts_to(city, RESIDENT_ID))
        edition = city.runtime.edition
        assert criterion_sentence("in_city", edition, ar) in to_arabic_author
        async with city.runtime.sessionmaker() as session:
            ideas = list(await session.execute(select(Idea.number, Idea.status).order_by(Idea.id)))
    assert [tuple(row) for row in ideas] == [(1, "accepted"), (2, "rejected")]
