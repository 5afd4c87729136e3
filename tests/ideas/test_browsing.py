"""Browsing, supporting, discussing and "My ideas", through the real service and
database, on SMS and Telegram, as residents read it in their language.

Residents reach the flows as they would: from the main menu, by the options
that lead to `@idea_browse` and `@my_ideas`, whatever their place in the menus.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pbbot.channels.sms.render import render_sms
from pbbot.channels.telegram.render import InlineKeyboard, render_telegram
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.keywords import DEFAULT_CARRIER_WORDS, shown_word
from pbbot.flows.model import ChoiceStep, FlowSet
from pbbot.i18n.catalogs import translator
from pbbot.i18n.formatting import format_date, format_money
from pbbot.i18n.sms import normalize_for_sms
from pbbot.ideas import queries, review
from pbbot.ideas.criteria import criterion_sentence
from pbbot.ideas.tables import Idea, IdeaComment, IdeaQuestion, IdeaSupport
from pbbot.runtime import Runtime, build_runtime
from tests.ideas.support import EDITION, NOW, resident_id

EDITION_FILE = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
TODAY = date(2027, 2, 20)  # in the ideation phase
# Where each language is in the language menu (the edition's order).
LANGUAGE_NUMBER = {code: str(i) for i, code in enumerate(EDITION.languages, 1)}
JOURNEYS = [("sms", "tr"), ("telegram", "ar"), ("sms", "nl"), ("telegram", "en")]


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    runtime = build_runtime(EDITION_FILE, database_url, TODAY)
    yield runtime
    await runtime.close()


def route(flows: FlowSet, target: str) -> list[str]:
    """The labels a resident chooses from the main menu to reach `target`."""
    queue: deque[tuple[str, str, list[str]]] = deque([("main_menu", "menu", [])])
    seen = set()
    while queue:
        flow, step_id, labels = queue.popleft()
        step = flows.step(flow, step_id)
        if (flow, step_id) in seen or not isinstance(step, ChoiceStep):
            continue
        seen.add((flow, step_id))
        for option in step.options:
            if option.go == target:
                return [*labels, option.label]
            resolved = flows.resolve(flow, option.go)
            if resolved:
                queue.append((*resolved, [*labels, option.label]))
    raise AssertionError(f"no menu leads to {target}")


class Resident:
    """One resident in the chat: sends, and reads the replies as their channel shows them."""

    def __init__(self, runtime: Runtime, channel: str, address: str, locale: str):
        self.runtime, self.channel, self.address, self.locale = runtime, channel, address, locale
        self.t = translator(locale)
        self.last: list[Outbound] = []

    def text(self, msgid: str, **values: object) -> str:
        """A catalog text in their language, as their channel shows it."""
        text = self.t.gettext(msgid).format(**values)
        return normalize_for_sms(text) if self.channel == "sms" else text

    async def send(self, text: str = "", *, payload: str | None = None) -> str:
        hint = self.locale if self.channel == "telegram" else None
        inbound = Inbound(self.channel, self.address, text, payload=payload, language_hint=hint)
        self.last = await self.runtime.service.handle(inbound)
        return self.shown

    @property
    def shown(self) -> str:
        if self.channel == "sms":
            return "\n".join(render_sms(message) for message in self.last)
        parts = []
        for message in self.last:
            for rendered in render_telegram(message):
                parts.append(rendered.text)
                if isinstance(rendered.keyboard, InlineKeyboard):
                    parts.extend(button.label for row in rendered.keyboard.rows for button in row)
        return "\n".join(parts)

    @property
    def labels(self) -> list[str]:
        return [choice.label for choice in self.last[-1].choices]

    async def choose(self, label: str) -> str:
        """The option whose label starts with `label` (already in the resident's
        language): its number on SMS, its button on Telegram."""
        choices = self.last[-1].choices
        found = [i for i, choice in enumerate(choices) if choice.label.startswith(label)]
        assert found, f"{label!r} is not among {self.labels}"
        if self.channel == "sms":
            return await self.send(str(found[0] + 1))
        return await self.send(payload=choices[found[0]].payload)

    async def pick(self, msgid: str, **values: object) -> str:
        return await self.choose(self.t.gettext(msgid).format(**values))

    async def join(self, *, consent: bool = True) -> None:
        """The onboarding, in their language: agree (or not), no district, age 30."""
        if self.channel == "sms":
            await self.send("👋")
            await self.send(LANGUAGE_NUMBER[self.locale])
        else:
            await self.send("/start")
            await self.send(payload=f"onboarding.language.{self.locale}")
        if not consent:
            await self.pick("No")
            return
        await self.pick("Yes, I agree")
        await self.pick("Prefer not to say")
        await self.send("30")

    async def open(self, target: str) -> str:
        for label in route(self.runtime.flows, target):
            await self.pick(label)
        return self.shown


async def seed(
    runtime: Runtime, *titles: str, theme: str = "green", author: int | None = None
) -> list[int]:
    """Ideas in the order given (the last is the newest); their numbers."""
    numbers = []
    async with runtime.sessionmaker.begin() as session:
        for minutes, title in enumerate(titles):
            number = await queries.next_number(session, EDITION.id)
            session.add(
                Idea(
                    edition_id=EDITION.id,
                    number=number,
                    author_id=author,
                    title=title,
                    description="Meer bankjes langs het water, voor wie niet lang kan stappen.",
                    theme_id=theme,
                    estimated_cost=12500,
                    place="Grote Markt",
                    status="submitted",
                    hidden=False,
                    created_at=NOW + timedelta(minutes=minutes),
                )
            )
            numbers.append(number)
    return numbers


async def count(runtime: Runtime, entity: type[IdeaSupport] | type[IdeaComment]) -> int:
    async with runtime.sessionmaker() as session:
        return (await session.scalar(select(func.count()).select_from(entity))) or 0


def theme(code: str, locale: str) -> str:
    return next(t.name[locale] for t in EDITION.themes if t.id == code)


@pytest.mark.parametrize(("channel", "locale"), JOURNEYS)
async def test_browse_page_through_support_withdraw_and_comment(
    runtime: Runtime, channel: str, locale: str
) -> None:
    await seed(runtime, *(f"Idee {n}" for n in range(1, 6)))  # #1..#5 in Green
    await seed(runtime, "Fietsenstalling", theme="mobility")  # #6
    you = Resident(runtime, channel, "+32470000101" if channel == "sms" else "101", locale)
    await you.join()
    await you.open("@idea_browse")

    shown = await you.choose(theme("green", locale))
    assert theme("green", locale) in shown
    assert "#5 Idee 5 (0)" in shown and "#3 Idee 3 (0)" in shown and "#2 " not in shown
    shown = await you.pick("Next")
    assert "#2 Idee 2" in shown and "#1 Idee 1" in shown
    assert "#5 " not in shown and "#6 " not in shown  # another theme
    shown = await you.pick("Back")
    assert "#5 Idee 5" in shown

    page = await you.choose("#4 ")
    assert "#4 Idee 4" in page
    status = "submitted" if channel == "sms" else "submitted, the city team will look at it"
    supporters = you.t.ngettext("{status}, {count} supporter", "{status}, {count} supporters", 0)
    assert you.text(supporters, status=you.t.gettext(status), count=0) in page
    money = format_money(Decimal(12500), "EUR", locale)
    assert (normalize_for_sms(money) if channel == "sms" else money) in page
    assert you.t.gettext("Withdraw support") not in you.labels

    assert you.text("Thank you: you now support idea {idea_ref}.", idea_ref="#4") in (
        await you.pick("Support")
    )
    page = await you.pick("Back to the idea")
    supporters = you.t.ngettext("{status}, {count} supporter", "{status}, {count} supporters", 1)
    assert you.text(supporters, status=you.t.gettext(status), count=1) in page
    if channel == "telegram":  # on SMS "Withdraw support" says it, in fewer characters
        assert you.text("You support this idea.") in page
    assert you.t.gettext("Withdraw support") in you.labels
    # Supporting again (an SMS "1" sent twice): a clear answer, still one support.
    again = await you.pick("Support")
    assert (
        you.text(
            "You already support idea {idea_ref}: each resident can support an idea once.",
            idea_ref="#4",
        )
        in again
    )
    assert await count(runtime, IdeaSupport) == 1
    withdrawn = await you.pick("Withdraw support")
    assert you.text("You no longer support idea {idea_ref}.", idea_ref="#4") in withdrawn
    assert await count(runtime, IdeaSupport) == 0

    await you.pick("Back to the idea")
    await you.pick("Comments ({count})", count=0)
    await you.pick("Write a comment")
    done = await you.send("Goed\u200b idee,\x07 ik woon er vlakbij!")
    assert you.text("Thank you: your comment is on idea {idea_ref}.", idea_ref="#4") in done
    async with runtime.sessionmaker() as session:
        assert list(await session.scalars(select(IdeaComment.text))) == [
            "Goed idee, ik woon er vlakbij!"
        ]
    await you.pick("Back to the idea")
    comments = await you.pick("Comments ({count})", count=1)
    assert "Goed idee, ik woon er vlakbij!" in comments


@pytest.mark.parametrize(("channel", "locale"), [("sms", "ar"), ("telegram", "tr")])
async def test_an_idea_by_number_and_one_that_does_not_exist(
    runtime: Runtime, channel: str, locale: str
) -> None:
    await seed(runtime, "Bankjes op de Grote Markt", "Speeltuin in Nekkerspoel")
    you = Resident(runtime, channel, "+32470000102" if channel == "sms" else "102", locale)
    await you.join(consent=False)  # reading needs no consent
    await you.open("@idea_browse")
    await you.pick("Idea by number")
    assert "#2 Speeltuin in Nekkerspoel" in await you.send("#2")
    await you.pick("Other ideas")  # all themes: none was chosen
    await you.pick("Other theme")
    await you.pick("Idea by number")
    missing = await you.send("99")
    assert (
        you.text(
            "There is no idea {idea_ref} to show: no idea has that number, or it is hidden "
            "while the city team looks at it.",
            idea_ref="#99",
        )
        in missing
    )


async def test_reports_hide_an_idea_and_it_can_no_longer_get_comments(runtime: Runtime) -> None:
    (number,) = await seed(runtime, "Graffiti op het stadhuis")
    hide_after = EDITION.ideas.reports_to_hide
    # A resident is on its page, about to comment, while others report it.
    writer = Resident(runtime, "telegram", "200", "en")
    await writer.join()
    await writer.open("@idea_browse")
    await writer.pick("Idea by number")
    await writer.send(str(number))
    await writer.pick("Comments ({count})", count=0)
    await writer.pick("Write a comment")

    for n, locale in zip(range(hide_after), ("tr", "ar", "nl"), strict=False):
        reporter = Resident(runtime, "sms", f"+3247000020{n}", locale)
        await reporter.join()
        await reporter.open("@idea_browse")
        await reporter.pick("Idea by number")
        await reporter.send(f"#{number}")
        await reporter.pick("Report")
        thanks = await reporter.pick("Yes, report it")
        assert (
            reporter.text(
                "Thank you. The city team will look at it; after a few reports it is hidden "
                "until they have."
            )
            in thanks
        )

    reader = Resident(runtime, "sms", "+32470000299", "en")
    await reader.join(consent=False)
    await reader.open("@idea_browse")
    shown = await reader.choose(theme("green", "en"))
    assert reader.text("{theme}: no ideas yet.", theme=theme("green", "en")) in shown
    await reader.pick("Other theme")
    await reader.pick("Idea by number")
    assert reader.text(
        "There is no idea {idea_ref} to show: no idea has that number, or it is hidden "
        "while the city team looks at it.",
        idea_ref=f"#{number}",
    ) in await reader.send(str(number))

    gone = await writer.send("Mooi gedaan!")
    assert (
        writer.text(
            "Idea {idea_ref} is hidden now, or joined into another idea: it can no longer get "
            "support or comments.",
            idea_ref=f"#{number}",
        )
        in gone
    )
    assert await count(runtime, IdeaComment) == 0


@pytest.mark.parametrize(("channel", "locale"), [("sms", "tr"), ("telegram", "ar"), ("sms", "fr")])
async def test_my_ideas_shows_status_and_the_answer_lands_on_the_idea(
    runtime: Runtime, channel: str, locale: str
) -> None:
    you = Resident(runtime, channel, "+32470000301" if channel == "sms" else "301", locale)
    await you.join()
    async with runtime.sessionmaker() as session:
        author = await resident_id(session, you.address)
    asked, rejected = await seed(runtime, "Bankjes Dijle", "Nieuw zwembad", author=author)
    (supported,) = await seed(runtime, "Boom op het plein", theme="youth")
    async with runtime.sessionmaker.begin() as session:
        liked = await queries.find_idea(session, EDITION.id, supported)
        assert liked is not None
        session.add(IdeaSupport(idea_id=liked.id, resident_id=author, created_at=NOW))
        question = review.Ask(question="Waar precies langs de Dijle?")
        await review.review(session, EDITION, asked, question, by="Sam", now=NOW)
        no = review.Reject(reason="max_cost")
        await review.review(session, EDITION, rejected, no, by="Sam", now=NOW)

    mine = await you.open("@my_ideas")
    assert (
        you.text("Ideas you sent: {sent}. Ideas you support: {supported}.", sent=2, supported=1)
        in mine
    )
    assert f"#{rejected} Nieuw zwembad ({you.text('not accepted')})" in mine
    assert f"#{asked} Bankjes Dijle ({you.text('question for you')})" in mine
    assert f"#{supported} Boom op het plein (1)" in mine

    # The page of the rejected idea says why, in the author's language.
    page = await you.choose(f"#{rejected} ")
    reason = criterion_sentence("max_cost", EDITION, you.t)
    assert (
        you.text("{status}: {reason}", status=you.t.gettext("not accepted"), reason=reason) in page
    )
    await you.send(shown_word("menu", channel, you.t, DEFAULT_CARRIER_WORDS))
    await you.open("@my_ideas")

    page = await you.choose(f"#{asked} ")
    assert (
        you.text("The city team asks: {question}", question="Waar precies langs de Dijle?") in page
    )
    assert you.t.gettext("Report") not in you.labels  # their own
    await you.pick("Answer the city team")
    done = await you.send("Tussen de Kettingbrug en de Vismarkt.")
    assert (
        you.text(
            "Thank you! Your answer is with the city team, who will look at idea {idea_ref} again.",
            idea_ref=f"#{asked}",
        )
        in done
    )
    async with runtime.sessionmaker() as session:
        answered = await session.scalar(select(IdeaQuestion))
        idea = await queries.find_idea(session, EDITION.id, asked)
    assert answered is not None and answered.answer == "Tussen de Kettingbrug en de Vismarkt."
    assert idea is not None and idea.status == "submitted"  # back with staff


async def test_supporting_asks_for_consent_first_and_then_goes_on(runtime: Runtime) -> None:
    (number,) = await seed(runtime, "Bankjes op de Grote Markt")
    you = Resident(runtime, "sms", "+32470000401", "nl")
    await you.join(consent=False)
    await you.open("@idea_browse")
    await you.pick("Idea by number")
    await you.send(str(number))
    asked = await you.pick("Support")
    assert you.text("To take part, we need your agreement to keep what you send us.") in asked
    await you.pick("Yes, I agree")
    await you.pick("Prefer not to say")
    thanks = await you.send("30")
    assert you.text("Thank you: you now support idea {idea_ref}.", idea_ref=f"#{number}") in thanks
    assert await count(runtime, IdeaSupport) == 1


async def test_supporting_closes_when_voting_starts(database_url: str) -> None:
    runtime = build_runtime(EDITION_FILE, database_url, date(2027, 4, 20))
    try:
        (number,) = await seed(runtime, "Bankjes op de Grote Markt")
        you = Resident(runtime, "telegram", "500", "fr")
        await you.join()
        await you.open("@idea_browse")
        await you.pick("Idea by number")
        await you.send(str(number))
        closed = await you.pick("Support")
        assert (
            you.text(
                "Supporting and commenting were open until voting started on {voting_start}. "
                "You can still read every idea.",
                voting_start=format_date(date(2027, 4, 12), "fr"),
            )
            in closed
        )
        assert await count(runtime, IdeaSupport) == 0
    finally:
        await runtime.close()
