"""Staff decisions: each reaches the author in their language on their channel,
is recorded, and a request that cannot be carried out changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.i18n.catalogs import Translator
from pbbot.ideas.events import IdeaSupported, ItemReported
from pbbot.ideas.handlers import store_idea, store_report, store_support
from pbbot.ideas.projects import Candidate, candidate_projects
from pbbot.ideas.review import (
    Accept,
    Ask,
    Decision,
    Hide,
    Merge,
    Reject,
    Restore,
    Reviewed,
    ReviewError,
    review,
)
from pbbot.ideas.tables import Idea, IdeaQuestion, IdeaReview, IdeaSupport
from pbbot.storage.tables import OutboundMessage, Resident
from tests.ideas.support import EDITION, NOW, last_message, submitted, translator_with

TURKISH = translator_with(
    "tr",
    {
        "Good news: your idea #{number} ({title}) goes to the vote as a project. "
        "The city team estimates its cost at {cost}.": "Müjde: #{number} numaralı fikriniz "
        "({title}) proje olarak oylamaya sunulacak. Belediye ekibi maliyetini {cost} olarak "
        "tahmin ediyor.",
        "The city team has a question about your idea #{number} ({title}):": "Belediye "
        "ekibinin #{number} numaralı fikriniz ({title}) hakkında bir sorusu var:",
        "You can answer it under My ideas in the menu.": "Menüdeki Fikirlerim bölümünden "
        "yanıtlayabilirsiniz.",
    },
)
ARABIC = translator_with(
    "ar",
    {
        "Your idea #{number} ({title}) cannot go to the vote.": "لا يمكن طرح فكرتك رقم "
        "#{number} ({title}) للتصويت.",
        "It would cost more than the maximum of {amount} per idea.": "ستتجاوز تكلفتها الحد "
        "الأقصى البالغ {amount} لكل فكرة.",
        "A note from the city team, in their own words:": "ملاحظة من فريق المدينة كما كتبها:",
        "Your idea #{number} ({title}) is much like idea #{into}, so the city team has joined "
        "them into #{into}.": "فكرتك رقم #{number} ({title}) تشبه كثيرًا الفكرة رقم #{into}، "
        "لذلك دمجهما فريق المدينة في الفكرة رقم #{into}.",
        "Its supporter now supports idea #{into}.|Its {count} supporters now support idea "
        "#{into}.": (
            "لم يكن لفكرتك أي مؤيد لنقله إلى الفكرة رقم #{into}.",
            "المؤيد الوحيد لفكرتك يؤيد الآن الفكرة رقم #{into}.",
            "مؤيدا فكرتك يؤيدان الآن الفكرة رقم #{into}.",
            "{count} مؤيدين لفكرتك يؤيدون الآن الفكرة رقم #{into}.",
            "{count} مؤيدًا لفكرتك يؤيدون الآن الفكرة رقم #{into}.",
            "{count} مؤيد لفكرتك يؤيدون الآن الفكرة رقم #{into}.",
        ),
    },
)
TRANSLATORS = {"tr": TURKISH, "ar": ARABIC}
LATER = NOW + timedelta(days=30)


def translators(locale: str) -> Translator:
    return TRANSLATORS[locale]


async def _resident(
    session: AsyncSession, channel: str, address: str, locale: str, **values: object
) -> int:
    resident = Resident(channel=channel, address=address, locale=locale, created_at=NOW, **values)
    session.add(resident)
    await session.flush()
    return resident.id


async def _setup(session: AsyncSession) -> dict[str, int]:
    """A Turkish author on SMS (#1), an Arabic one on Telegram (#2, #3), and a neighbour."""
    ids = {
        "turkish": await _resident(session, "sms", "+32470000301", "tr"),
        "arabic": await _resident(session, "telegram", "7001", "ar"),
        "neighbour": await _resident(session, "sms", "+32470000302", "nl"),
    }
    await store_idea(session, ids["turkish"], submitted("Parkta banklar"), NOW)
    await store_idea(session, ids["arabic"], submitted("ملعب", estimated_cost=90000), NOW)
    await store_idea(session, ids["arabic"], submitted("ملعب كبير"), NOW)
    return ids


async def _review(
    sessionmaker: async_sessionmaker[AsyncSession], number: int, decision: Decision
) -> Reviewed:
    async with sessionmaker.begin() as session:
        return await review(
            session, EDITION, number, decision, by="an", now=LATER, translators=translators
        )


async def test_accepting_tells_the_turkish_author_by_sms_and_makes_a_candidate(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        await _setup(session)

    reviewed = await _review(sessionmaker, 1, Accept(cost=12500))

    async with sessionmaker() as session:
        message = await last_message(session)
        record = await session.scalar(select(IdeaReview))
        candidates = await candidate_projects(session, EDITION.id)
        idea = await session.get_one(Idea, 1)
    assert reviewed == Reviewed(1, "accept", "accepted", "queued")
    assert (message.channel, message.address, message.locale) == ("sms", "+32470000301", "tr")
    assert message.text == (
        "Müjde: #1 numaralı fikriniz (Parkta banklar) proje olarak oylamaya sunulacak. "
        "Belediye ekibi maliyetini €12.500 olarak tahmin ediyor."
    )
    assert record is not None
    assert (record.decision, record.cost, record.decided_by, record.decided_at) == (
        "accept",
        12500,
        "an",
        LATER,
    )
    assert candidates == [Candidate(1, "Parkta banklar", "green", 12500)]
    assert idea.staff_cost == 12500


async def test_rejecting_tells_the_arabic_author_on_telegram_why_with_the_note_as_written(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        await _setup(session)
    note = "Misschien past een kleiner speelplein wel."

    reviewed = await _review(sessionmaker, 2, Reject(reason="max_cost", note=note))

    async with sessionmaker() as session:
        message = await last_message(session)
        record = await session.scalar(select(IdeaReview))
    assert reviewed.status == "rejected"
    assert (message.channel, message.address, message.locale) == ("telegram", "7001", "ar")
    assert message.text == (
        "لا يمكن طرح فكرتك رقم #2 (ملعب) للتصويت. "
        "ستتجاوز تكلفتها الحد الأقصى البالغ \u200f60,000\u00a0€ لكل فكرة.\n"
        "ملاحظة من فريق المدينة كما كتبها:\n" + note
    )
    assert record is not None and (record.criterion, record.note) == ("max_cost", note)


async def test_asking_stores_the_question_and_sends_it_introduced(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        await _setup(session)

    reviewed = await _review(sessionmaker, 1, Ask(question="Welk park bedoelt u?"))

    async with sessionmaker() as session:
        message = await last_message(session)
        question = await session.scalar(select(IdeaQuestion))
    assert reviewed.status == "question"
    assert message.text == (
        "Belediye ekibinin #1 numaralı fikriniz (Parkta banklar) hakkında bir sorusu var:\n"
        "Welk park bedoelt u?\nMenüdeki Fikirlerim bölümünden yanıtlayabilirsiniz."
    )
    assert question is not None and (question.question, question.asked_by) == (
        "Welk park bedoelt u?",
        "an",
    )


async def test_merging_carries_the_supporters_over_without_double_support(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        ids = await _setup(session)
        idea2, idea3 = (await session.get_one(Idea, 2)).id, (await session.get_one(Idea, 3)).id
        for supporter in ("turkish", "neighbour"):
            await store_support(session, ids[supporter], IdeaSupported(idea2), NOW)
        await store_support(session, ids["neighbour"], IdeaSupported(idea3), NOW)

    reviewed = await _review(sessionmaker, 2, Merge(into=3))

    async with sessionmaker() as session:
        message = await last_message(session)
        supports = await session.execute(
            select(IdeaSupport.idea_id, IdeaSupport.resident_id).order_by(IdeaSupport.resident_id)
        )
        merged = await session.get_one(Idea, idea2)
    assert reviewed.status == "merged" and merged.merged_into_id == idea3
    assert [tuple(row) for row in supports] == [
        (idea3, ids["turkish"]),
        (idea3, ids["neighbour"]),
    ]
    assert message.text == (
        "فكرتك رقم #2 (ملعب) تشبه كثيرًا الفكرة رقم #3، لذلك دمجهما فريق المدينة في الفكرة رقم #3."
        " مؤيدا فكرتك يؤيدان الآن الفكرة رقم #3."
    )
    with pytest.raises(ReviewError, match="merged into another idea already"):
        await _review(sessionmaker, 2, Accept(cost=100))


async def test_restoring_a_reported_idea_needs_new_reports_to_hide_it_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        ids = await _setup(session)
        report = ItemReported("idea", 1, hide_after=2)
        for who in ("arabic", "neighbour"):
            await store_report(session, ids[who], report, NOW)
        assert (await session.get_one(Idea, 1)).hidden

    await _review(sessionmaker, 1, Restore())

    async with sessionmaker.begin() as session:
        assert not (await session.get_one(Idea, 1)).hidden
        await store_report(session, ids["turkish"], report, LATER)
        assert not (await session.get_one(Idea, 1)).hidden  # one new report of two
    await _review(sessionmaker, 1, Hide(note="Even nakijken."))
    async with sessionmaker() as session:
        assert (await session.get_one(Idea, 1)).hidden


async def test_a_support_that_comes_after_a_merge_goes_where_the_supporters_went(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        ids = await _setup(session)
        idea2, idea3 = (await session.get_one(Idea, 2)).id, (await session.get_one(Idea, 3)).id
    await _review(sessionmaker, 2, Merge(into=3))
    # A resident who opened #2 before the merge supports it after.
    async with sessionmaker.begin() as session:
        await store_support(session, ids["turkish"], IdeaSupported(idea2), LATER)
    async with sessionmaker() as session:
        supports = await session.execute(select(IdeaSupport.idea_id, IdeaSupport.resident_id))
    assert [tuple(row) for row in supports] == [(idea3, ids["turkish"])]


BAD_REQUESTS = [
    (9, Accept(cost=100), "no idea #9"),
    (1, Accept(cost=None), "accepting needs staff's cost"),
    (1, Reject(reason="ugly"), "unknown reason 'ugly'; mechelen-2027 accepts max_cost, public"),
    (1, Merge(into=1), "cannot be merged into itself"),
    (1, Merge(into=42), "no idea #42 in mechelen-2027 to merge into"),
    (1, Ask(question="  "), "the question is empty"),
    (1, Hide(comment=5), "idea #1 has no comment 5"),
]


@pytest.mark.parametrize(("number", "decision", "message"), BAD_REQUESTS)
async def test_a_request_that_cannot_be_done_changes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], number: int, decision: Decision, message: str
) -> None:
    async with sessionmaker.begin() as session:
        await _setup(session)
        before = await session.scalar(select(func.count()).select_from(OutboundMessage))

    with pytest.raises(ReviewError, match=message.replace("(", r"\(")):
        await _review(sessionmaker, number, decision)

    async with sessionmaker() as session:
        after = await session.scalar(select(func.count()).select_from(OutboundMessage))
        reviews = await session.scalar(select(func.count()).select_from(IdeaReview))
        status = (await session.get_one(Idea, 1)).status
    assert (after, reviews, status) == (before, 0, "submitted")


@pytest.mark.parametrize(
    ("change", "notice"),
    [
        ({"subscribed": False}, "not sent: the author sent STOP"),
        ({"erased_at": NOW}, "not sent: the author erased their data"),
    ],
)
async def test_an_author_who_stopped_or_erased_is_not_sent_anything(
    sessionmaker: async_sessionmaker[AsyncSession], change: dict[str, object], notice: str
) -> None:
    async with sessionmaker.begin() as session:
        ids = await _setup(session)
        await session.execute(update(Resident).where(Resident.id == ids["turkish"]).values(change))
        before = await session.scalar(select(func.count()).select_from(OutboundMessage))

    reviewed = await _review(sessionmaker, 1, Reject(reason="duplicate"))

    async with sessionmaker() as session:
        after = await session.scalar(select(func.count()).select_from(OutboundMessage))
        record = await session.scalar(select(IdeaReview))
    assert (reviewed.notice, after) == (notice, before)
    assert record is not None and record.notice == notice
