"""Driving the voting flows on the pure engine, with the snapshot in memory:
the sample edition's 24 candidate projects (examples/mechelen-2027-projects.csv),
as the service would load them."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pbbot.channels.sms.render import render_sms
from pbbot.domain.amounts import parse_amount
from pbbot.domain.edition import Edition
from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.answers import answer_word
from pbbot.engine.context import StepContext
from pbbot.engine.events import Event
from pbbot.engine.flowset import load_engine_flows
from pbbot.engine.snapshot import Snapshot
from pbbot.engine.state import ConversationState
from pbbot.engine.step import step
from pbbot.features import load_features
from pbbot.i18n.catalogs import translator
from pbbot.i18n.formatting import format_list, format_money, format_number
from pbbot.i18n.sms import normalize_for_sms, sms_segments
from pbbot.voting.views import Candidate, Candidates, MyVote
from tests.ideas.support import EDITION

PROJECTS_FILE = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027-projects.csv"
VOTING_DAY = date(2027, 4, 20)
PHONE = "+32470000001"
# A resident who joined during ideation: language, consent, age and district known.
JOINED = {"consent": "2027-02-01", "age": 34, "district": "Centrum"}


def sample_candidates(edition: Edition = EDITION) -> Candidates:
    with PROJECTS_FILE.open(encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    projects = tuple(
        Candidate(
            number=number,
            title={lang: row[f"title_{lang}"] for lang in edition.languages},
            summary={lang: row[f"summary_{lang}"] for lang in edition.languages},
            cost=int(parse_amount(row["cost"], "nl") or 0),
            theme=row["theme"],
        )
        for number, row in enumerate(rows, 1)
    )
    return Candidates(projects, order_seed=b"a resident of Mechelen")


def with_voting(**rules: Any) -> Edition:
    return replace(EDITION, voting=replace(EDITION.voting, **rules))


@dataclass
class Voter:
    """One resident's conversation, a message at a time."""

    locale: str
    channel: str = "sms"
    edition: Edition = EDITION
    today: date = VOTING_DAY
    mine: MyVote = field(default_factory=MyVote)
    state: ConversationState = field(init=False)
    events: list[Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        load_features(service=False)
        self.state = ConversationState(locale=self.locale, answers=dict(JOINED))

    def context(self) -> StepContext:
        snapshot = Snapshot(
            {"voting.candidates": sample_candidates(self.edition), "voting.mine": self.mine}
        )
        return StepContext(self.edition, load_engine_flows(), self.today, snapshot=snapshot)

    def send(self, text: str = "", *, tap: int | None = None, contact: str | None = None) -> str:
        """Send a text (or tap the `tap`-th button); the replies' texts as the resident
        reads them (numbered choices on SMS)."""
        payload = self.state.offered[tap - 1] if tap is not None else None
        inbound = Inbound(self.channel, PHONE, text=text, payload=payload, contact_phone=contact)
        result = step(self.state, inbound, self.context())
        self.state = result.state
        self.events += result.events
        self.last = list(result.messages)
        return "\n".join(render_sms(m) if self.channel == "sms" else m.text for m in self.last)

    def segments(self) -> int:
        return sum(sms_segments(render_sms(m)).segments for m in self.last)

    def labels(self) -> list[str]:
        return [choice.label for message in self.last for choice in message.choices]

    def cast(self) -> list[Any]:
        return [e for e in self.events if type(e).__name__ == "BallotCast"]

    def message(self) -> Outbound:
        return self.last[-1]


def say(locale: str, msgid: str, **values: object) -> str:
    """A catalog text as the resident reads it in `locale`, with its values."""
    return translator(locale).gettext(msgid).format(**values)


def say_n(locale: str, singular: str, plural: str, n: int, **values: object) -> str:
    return translator(locale).ngettext(singular, plural, n).format(**values)


def euros(locale: str, amount: int) -> str:
    return format_money(Decimal(amount), "EUR", locale)


def listed(locale: str, numbers: list[int]) -> str:
    return format_list([format_number(n, locale) for n in numbers], locale)


def word(locale: str, meaning: str) -> str:
    return answer_word(meaning, translator(locale))


def sms(text: str) -> str:
    """How an SMS shows a text (the channel normalizes punctuation and marks)."""
    return normalize_for_sms(text)
