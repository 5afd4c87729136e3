"""The conversation service on SQLite and PostgreSQL, with a tiny fake engine step."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pbbot.conversations import ConversationService, StepFailed
from pbbot.domain.messages import Choice, Inbound, Location, Outbound
from pbbot.engine.events import (
    AnswerRecorded,
    Event,
    InputRejected,
    MessageCreated,
    Resubscribed,
    Unsubscribed,
)
from pbbot.engine.state import ConversationState
from pbbot.storage.database import create_engine, create_sessionmaker
from pbbot.storage.tables import (
    Conversation,
    ConversationEvent,
    InboundMessage,
    OutboundMessage,
    Resident,
)

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)


def echo_step(state: ConversationState, inbound: Inbound) -> tuple[ConversationState, list[Event]]:
    """Appends each text to `answers["said"]` and answers it; a few words do more."""
    if inbound.text == "BOOM":
        raise RuntimeError("engine bug")
    said = [*state.answers.get("said", []), inbound.text]
    state = state.evolve(answers={**state.answers, "said": said})
    events: list[Event] = [AnswerRecorded("said", inbound.text)]
    if inbound.text.startswith("LANG "):
        state = state.evolve(locale=inbound.text.removeprefix("LANG "))
    elif inbound.text == "STOP":
        events.append(Unsubscribed())
    elif inbound.text == "START":
        events.append(Resubscribed())
    elif inbound.text == "NO THANKS":
        state = state.evolve(answers={**state.answers, "consent_declined": True})
    elif inbound.text == "???":
        events.append(InputRejected(flow="menu", step="main", text="???", misses=1))
    reply = Outbound(
        text=f"got {inbound.text}",
        locale=state.locale or "en",
        choices=(Choice("menu", "Menu"), Choice("help", "Help")),
    )
    events.append(MessageCreated(reply))
    return state, events


def sms(text: str, phone: str = "+32470000001", **fields: object) -> Inbound:
    return Inbound(channel="sms", address=phone, text=text, **fields)  # type: ignore[arg-type]


@pytest.fixture
def service(sessionmaker: async_sessionmaker[AsyncSession]) -> ConversationService:
    return ConversationService(sessionmaker, echo_step, clock=lambda: NOW)


async def stored_state(
    sessionmaker: async_sessionmaker[AsyncSession], phone: str = "+32470000001"
) -> ConversationState:
    async with sessionmaker() as session:
        data = await session.scalar(
            select(Conversation.state).join(Resident).where(Resident.address == phone)
        )
    assert data is not None
    return ConversationState.from_json(data)


async def count(sessionmaker: async_sessionmaker[AsyncSession], entity: type) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(entity)) or 0


async def test_handle_stores_state_and_queues_the_replies(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    replies = await service.handle(sms("hello"), key="twilio:SM1")

    assert [reply.text for reply in replies] == ["got hello"]
    assert (await stored_state(sessionmaker)).answers == {"said": ["hello"]}
    async with sessionmaker() as session:
        queued = (await session.scalars(select(OutboundMessage))).one()
        inbound = (await session.scalars(select(InboundMessage))).one()
    assert (queued.channel, queued.address, queued.text) == ("sms", "+32470000001", "got hello")
    assert queued.choices == [
        {"payload": "menu", "label": "Menu"},
        {"payload": "help", "label": "Help"},
    ]
    assert (queued.status, queued.priority, queued.attempts) == ("queued", 0, 0)
    assert queued.next_attempt_at == NOW
    assert queued.inbound_id == inbound.id
    assert (inbound.key, inbound.processed_at, inbound.error) == ("twilio:SM1", NOW, None)


async def test_a_redelivered_key_does_nothing(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await service.handle(sms("hello"), key="twilio:SM1")

    assert await service.handle(sms("hello"), key="twilio:SM1") == []
    assert (await stored_state(sessionmaker)).answers == {"said": ["hello"]}
    assert await count(sessionmaker, OutboundMessage) == 1


async def test_messages_without_a_key_are_all_handled(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await service.handle(sms("one"))
    await service.handle(sms("one"))

    assert (await stored_state(sessionmaker)).answers == {"said": ["one", "one"]}


async def test_accept_then_process_handles_a_message_once(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    inbound_id = await service.accept(sms("hello"), key="telegram:1:100")

    assert inbound_id is not None
    assert await service.accept(sms("hello"), key="telegram:1:100") is None
    assert await count(sessionmaker, Conversation) == 0
    assert [reply.text for reply in await service.process(inbound_id)] == ["got hello"]
    assert await service.process(inbound_id) == []
    assert (await stored_state(sessionmaker)).answers == {"said": ["hello"]}


async def test_messages_stored_before_a_crash_are_processed_once_after_restart(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    before = ConversationService(create_sessionmaker(engine), echo_step, clock=lambda: NOW)
    for number in range(3):
        await before.accept(sms(f"m{number}"), key=f"twilio:SM{number}")
    await engine.dispose()  # the crash: accepted, never processed

    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    after = ConversationService(sessionmaker, echo_step, clock=lambda: NOW)
    try:
        assert await after.process_pending() == 3
        assert await after.process_pending() == 0
        assert (await stored_state(sessionmaker)).answers == {"said": ["m0", "m1", "m2"]}
        assert await count(sessionmaker, OutboundMessage) == 3
    finally:
        await engine.dispose()


async def test_a_restart_loses_no_conversation(database_url: str) -> None:
    engine = create_engine(database_url)
    await ConversationService(create_sessionmaker(engine), echo_step).handle(sms("LANG nl"))
    await engine.dispose()

    engine = create_engine(database_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        await ConversationService(sessionmaker, echo_step).handle(sms("again"))
        state = await stored_state(sessionmaker)
    finally:
        await engine.dispose()
    assert (state.locale, state.answers) == ("nl", {"said": ["LANG nl", "again"]})


async def test_concurrent_messages_from_one_resident_lose_no_update(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    texts = [f"tap {number}" for number in range(20)]

    await asyncio.gather(*(service.handle(sms(text)) for text in texts))

    state = await stored_state(sessionmaker)
    assert sorted(state.answers["said"]) == sorted(texts)
    async with sessionmaker() as session:
        assert await session.scalar(select(Conversation.version)) == 20
    assert await count(sessionmaker, OutboundMessage) == 20
    assert await count(sessionmaker, Resident) == 1


async def test_concurrent_processing_of_stored_messages_runs_each_once(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ids = [
        await service.accept(sms(f"m{number}"), key=f"twilio:SM{number}") for number in range(20)
    ]

    # Two workers race over the same stored messages, as two server processes would.
    await asyncio.gather(
        service.process_pending(),
        *(service.process(inbound_id) for inbound_id in ids if inbound_id is not None),
    )

    said = (await stored_state(sessionmaker)).answers["said"]
    assert sorted(said) == sorted(f"m{number}" for number in range(20))
    assert await count(sessionmaker, OutboundMessage) == 20


async def test_concurrent_first_messages_from_many_residents(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    phones = [f"+3247000{number:04d}" for number in range(10)]

    await asyncio.gather(
        *(service.handle(sms(text, phone)) for phone in phones for text in ("a", "b"))
    )

    for phone in phones:
        assert sorted((await stored_state(sessionmaker, phone)).answers["said"]) == ["a", "b"]
    assert await count(sessionmaker, Resident) == 10


async def test_a_failing_step_is_recorded_and_does_not_block_the_others(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    bad = await service.accept(sms("BOOM"), key="sim:bad")
    await service.accept(sms("fine"), key="sim:good")
    assert bad is not None

    with pytest.raises(StepFailed):
        await service.process(bad)
    assert await service.process_pending() == 1

    async with sessionmaker() as session:
        errors = dict(
            (await session.execute(select(InboundMessage.key, InboundMessage.error))).all()
        )
    assert errors == {"sim:bad": "RuntimeError('engine bug')", "sim:good": None}
    assert (await stored_state(sessionmaker)).answers == {"said": ["fine"]}


async def test_handle_stores_nothing_when_the_step_fails(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    with pytest.raises(StepFailed):
        await service.handle(sms("BOOM"), key="sim:bad")

    assert await count(sessionmaker, InboundMessage) == 0
    assert await count(sessionmaker, Resident) == 0


async def test_the_resident_mirrors_locale_subscription_and_first_start_code(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    address = "4242"
    tg = {"channel": "telegram", "address": address}
    await service.handle(Inbound(**tg, text="/start", start_param="library-north"))
    await service.handle(Inbound(**tg, text="/start", start_param="youth-club"))
    await service.handle(Inbound(**tg, text="LANG fr"))
    await service.handle(Inbound(**tg, text="STOP"))

    async with sessionmaker() as session:
        resident = (await session.scalars(select(Resident))).one()
    assert (resident.start_param, resident.locale, resident.subscribed) == (
        "library-north",
        "fr",
        False,
    )
    assert resident.created_at == NOW

    await service.handle(Inbound(**tg, text="START"))
    async with sessionmaker() as session:
        assert await session.scalar(select(Resident.subscribed)) is True


async def test_events_are_stored_without_messages_or_raw_input(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await service.handle(sms("???"))

    async with sessionmaker() as session:
        events = (
            await session.execute(select(ConversationEvent.type, ConversationEvent.data))
        ).all()
    assert [tuple(event) for event in events] == [
        ("answer_recorded", {"name": "said"}),
        ("input_rejected", {"flow": "menu", "step": "main", "misses": 1}),
    ]


async def test_export_shows_what_is_stored_about_a_resident(
    service: ConversationService,
) -> None:
    await service.handle(sms("hello"), key="twilio:SM1")
    await service.handle(sms("someone else", phone="+32470999999"))

    export = await service.export_resident("sms", "+32470000001")

    assert export is not None
    assert export["resident"]["address"] == "+32470000001"
    assert export["resident"]["created_at"] == NOW.isoformat()
    assert export["conversation"]["state"]["answers"] == {"said": ["hello"]}
    assert [message["key"] for message in export["inbound_messages"]] == ["twilio:SM1"]
    assert export["inbound_messages"][0]["body"]["text"] == "hello"
    assert [message["text"] for message in export["outbound_messages"]] == ["got hello"]
    assert [event["type"] for event in export["events"]] == ["answer_recorded"]
    assert await service.export_resident("sms", "+32000000000") is None


async def test_nothing_a_resident_wrote_is_kept_once_they_decline(
    service: ConversationService,
) -> None:
    await service.handle(sms("my number is 0470 12 34 56"), key="twilio:SM1")
    await service.handle(sms("NO THANKS"), key="twilio:SM2")
    await service.handle(sms("what is the timeline?"), key="twilio:SM3")
    await service.handle(sms("still here", phone="+32470999999"), key="twilio:SM4")

    export = await service.export_resident("sms", "+32470000001")
    other = await service.export_resident("sms", "+32470999999")

    assert export is not None and other is not None
    # The keys stay, so that a redelivery is still recognized; the contents go.
    assert [(m["key"], m["body"]) for m in export["inbound_messages"]] == [
        ("twilio:SM1", {}),
        ("twilio:SM2", {}),
        ("twilio:SM3", {}),
    ]
    assert await service.handle(sms("my number is 0470 12 34 56"), key="twilio:SM1") == []
    assert other["inbound_messages"][0]["body"]["text"] == "still here"


async def test_delete_removes_the_resident_and_everything_about_them(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await service.handle(sms("hello"))
    await service.handle(sms("other", phone="+32470999999"))

    assert await service.delete_resident("sms", "+32470000001") is True

    assert await service.export_resident("sms", "+32470000001") is None
    assert await service.delete_resident("sms", "+32470000001") is False
    for entity in (Resident, Conversation, InboundMessage, OutboundMessage, ConversationEvent):
        assert await count(sessionmaker, entity) == 1, entity.__name__
    assert (await stored_state(sessionmaker, "+32470999999")).answers == {"said": ["other"]}


async def test_an_inbound_message_round_trips_through_storage(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    seen: list[Inbound] = []

    def recording_step(
        state: ConversationState, inbound: Inbound
    ) -> tuple[ConversationState, Sequence[Event]]:
        seen.append(inbound)
        return state, []

    message = Inbound(
        channel="telegram",
        address="77",
        text="مرحبا 👋 '; DROP TABLE residents; --",
        payload="menu",
        language_hint="ar",
        contact_phone="+32470000001",
        location=Location(50.85, 4.35),
        photo_id="AgAD",
        received_at=NOW,
    )
    recording = ConversationService(sessionmaker, recording_step, clock=lambda: NOW)
    inbound_id = await recording.accept(message, key="telegram:1:1")
    assert inbound_id is not None

    assert await recording.process(inbound_id) == []
    assert seen == [message]


async def test_a_batch_is_handled_in_order_and_one_bad_message_stops_no_other(
    service: ConversationService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await service.handle(sms("first"), key="twilio:SM0")
    new, outcome = await service.handle_many(
        [
            (sms("first"), "twilio:SM0"),  # a redelivery
            (sms("second"), "twilio:SM1"),
            (sms("BOOM"), "twilio:SM2"),
            (sms("third"), "twilio:SM3"),
            (sms("hi", phone="+32470000009"), "twilio:SM4"),
        ]
    )

    assert new == [False, True, True, True, True]
    assert [reply.text for reply in outcome.replies] == ["got second", "got third", "got hi"]
    assert (await stored_state(sessionmaker)).answers == {"said": ["first", "second", "third"]}
    async with sessionmaker() as session:
        errors = dict(
            (await session.execute(select(InboundMessage.key, InboundMessage.error))).all()
        )
        unprocessed = await session.scalar(
            select(func.count())
            .select_from(InboundMessage)
            .where(InboundMessage.processed_at.is_(None))
        )
    assert errors["twilio:SM2"] == "RuntimeError('engine bug')"
    assert unprocessed == 0
