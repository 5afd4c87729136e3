"""The dry run: what a broadcast would do, before staff confirm it.

Residents per channel and language, each language's text and what it costs
as SMS (segments, encoding, the price per segment from the settings), how
long it takes at the channels' rate limits, and what staff should know first
(languages that get another language's text, an unknown price, ...).

The figures are those the outbox will meet: the SMS text counted is the body
the SMS channel sends (normalized, `pbbot.channels.sms.render`), and the
channels send side by side, so the broadcast takes as long as the slower
one. Replies to residents go first, so a busy day makes it a little longer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.broadcasts.audience import Segment, count_recipients
from pbbot.broadcasts.content import Content, fallback_languages, render
from pbbot.channels.sms.render import render_sms
from pbbot.domain.edition import PHASE_KINDS, Edition
from pbbot.domain.gsm7 import GSM7_BASIC, GSM7_EXTENSION
from pbbot.domain.messages import Outbound
from pbbot.i18n.catalogs import N_, Translator, translator
from pbbot.i18n.formatting import format_list, format_money
from pbbot.i18n.sms import SmsSize, sms_segments
from pbbot.outbox.limits import ChannelLimits  # what `limits` holds, for callers
from pbbot.storage.phases import current_phase

__all__ = [
    "ChannelLimits",
    "LanguagePlan",
    "Plan",
    "format_duration",
    "plan_broadcast",
    "plan_lines",
    "plan_warnings",
]

# Languages whose texts fit GSM-7 when written with care: a character outside
# it (an emoji, "ê", "ë") makes every SMS of the text UCS-2, worth a warning.
# Turkish and Arabic letters need UCS-2 anyway.
_GSM7_LANGUAGES = frozenset({"nl", "fr", "en"})


@dataclass(frozen=True, slots=True)
class LanguagePlan:
    """One language's share: its recipients, its text, and that text as SMS."""

    locale: str
    text: str
    telegram: int
    sms: int
    sms_size: SmsSize  # of the SMS body, as the SMS channel sends it
    fallback: bool  # the default language's text, for want of one of its own

    @property
    def residents(self) -> int:
        return self.telegram + self.sms

    @property
    def sms_segments(self) -> int:
        return self.sms * self.sms_size.segments


@dataclass(frozen=True, slots=True)
class Plan:
    """A broadcast's dry run. `cost` is None when no price is set; `seconds`
    is each channel's time at its limit, and `duration` the longer of them."""

    content: Content
    segment: Segment
    languages: tuple[LanguagePlan, ...]
    sms_segments: int
    segment_price: Decimal | None
    cost: Decimal | None
    currency: str
    rates: Mapping[str, float]  # per second: Telegram messages, SMS segments
    seconds: Mapping[str, float]
    fallbacks: tuple[str, ...]
    default_language: str
    # A catalog message about another phase than the one running now: (its phase,
    # the phase now or None between phases); None: no such mismatch.
    off_phase: tuple[str, str | None] | None = None

    @property
    def residents(self) -> int:
        """How many residents it goes to."""
        return sum(language.residents for language in self.languages)

    @property
    def channels(self) -> Counter[str]:
        """Recipients per channel."""
        counts: Counter[str] = Counter()
        for language in self.languages:
            counts["telegram"] += language.telegram
            counts["sms"] += language.sms
        return +counts

    @property
    def duration(self) -> float:
        return max(self.seconds.values(), default=0.0)

    @property
    def warnings(self) -> list[str]:
        """In English, as the command line shows them."""
        return plan_warnings(self, translator("en"))


def _sms_size(text: str, locale: str) -> SmsSize:
    return sms_segments(render_sms(Outbound(text=text, locale=locale)))


async def plan_broadcast(
    session: AsyncSession,
    edition: Edition,
    content: Content,
    segment: Segment,
    *,
    limits: Mapping[str, ChannelLimits],
    segment_price: Decimal | None,
    now: datetime,
) -> Plan:
    """The dry run of sending `content` to `segment` now.

    `limits`: each channel's whole rate (`default_limits(...)` for one process):
    processes sending together share that rate, they do not add to it.
    """
    counts = await count_recipients(session, edition, segment)
    present = {locale for (_, locale), count in counts.items() if count}
    fallbacks = fallback_languages(content, edition, present)
    languages = []
    for locale in edition.languages:
        if locale not in present:
            continue
        text = render(content, edition, locale, now=now)
        languages.append(
            LanguagePlan(
                locale=locale,
                text=text,
                telegram=counts["telegram", locale],
                sms=counts["sms", locale],
                sms_size=_sms_size(text, locale),
                fallback=locale in fallbacks,
            )
        )
    segments = sum(language.sms_segments for language in languages)
    off_phase = None
    if content.message is not None:
        # A reminder is about voting; a phase's message about that phase.
        about = content.message if content.message in PHASE_KINDS else "voting"
        running = await current_phase(session, edition, now)
        if running is None or running.kind != about:
            off_phase = (about, running.kind if running else None)
    rates = {channel: limits[channel].per_second for channel in ("telegram", "sms")}
    telegram = sum(language.telegram for language in languages)
    return Plan(
        content=content,
        segment=segment,
        languages=tuple(languages),
        sms_segments=segments,
        segment_price=segment_price,
        cost=None if segment_price is None else segments * segment_price,
        currency=edition.currency,
        rates=rates,
        seconds={"telegram": telegram / rates["telegram"], "sms": segments / rates["sms"]},
        fallbacks=tuple(fallbacks),
        default_language=edition.default_language,
        off_phase=off_phase,
    )


def _outside_gsm7(text: str) -> list[str]:
    outside = (char for char in text if char not in GSM7_BASIC and char not in GSM7_EXTENSION)
    return list(dict.fromkeys(outside))


def plan_warnings(plan: Plan, t: Translator) -> list[str]:
    """What staff should know before confirming, in the translator's language."""
    warnings = []
    if not plan.residents:
        warnings.append(t.gettext(N_("No resident matches this audience.")))
    if plan.fallbacks:
        warnings.append(
            t.gettext(N_("No text for {languages}: they get the {default} text.")).format(
                languages=format_list(plan.fallbacks, t.babel_locale),
                default=plan.default_language,
            )
        )
    if plan.off_phase is not None:
        about, running = plan.off_phase
        if running is None:
            text = N_("This message is about the {phase} phase, and no phase runs now.")
        else:
            text = N_("This message is about the {phase} phase, but the phase now is {now}.")
        warnings.append(t.gettext(text).format(phase=about, now=running))
    if plan.sms_segments and plan.cost is None:
        warnings.append(
            t.gettext(N_("No SMS price is set (PBBOT_SMS_SEGMENT_PRICE): the cost is unknown."))
        )
    for language in plan.languages:
        if language.sms and language.locale in _GSM7_LANGUAGES:
            sent = render_sms(Outbound(text=language.text, locale=language.locale))
            outside = _outside_gsm7(sent)
            if outside:
                warnings.append(
                    t.gettext(
                        N_(
                            "The {language} SMS has characters outside GSM-7 ({characters}): "
                            "a segment holds 70 characters instead of 160."
                        )
                    ).format(language=language.locale, characters=" ".join(outside))
                )
    return warnings


def format_duration(seconds: float) -> str:
    """ "2 s", "3 min 20 s", "1 h 7 min": to the second under an hour, else to the minute."""
    if seconds < 60:
        return f"{math.ceil(seconds)} s"
    if seconds < 3600:
        minutes, rest = divmod(math.ceil(seconds), 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours:,} h {minutes} min" if minutes else f"{hours:,} h"


def _money(amount: Decimal, currency: str, *, exact: bool = False) -> str:
    return format_money(amount, currency, "en", exact=exact)


def _segments(count: int) -> str:
    return f"{count:,} segment" + ("" if count == 1 else "s")


def plan_lines(plan: Plan, edition: Edition) -> list[str]:
    """The dry run for the command line, in English."""
    channels = plan.channels
    split = ", ".join(
        f"{name} {channels[channel]:,}"
        for channel, name in (("telegram", "Telegram"), ("sms", "SMS"))
        if channels[channel]
    )
    lines = [
        f"Content: {plan.content.describe()}",
        f"Audience: {plan.segment.describe()}",
        f"Recipients: {plan.residents:,}" + (f" ({split})" if split else ""),
    ]
    for language in plan.languages:
        parts = []
        if language.telegram:
            parts.append(f"Telegram {language.telegram:,}")
        if language.sms:
            size = language.sms_size
            parts.append(
                f"SMS {language.sms:,} x {_segments(size.segments)} ({size.encoding}) "
                f"= {_segments(language.sms_segments)}"
            )
        lines.append(f"  {language.locale}: {language.residents:,}: " + ", ".join(parts))
    if plan.sms_segments:
        if plan.cost is not None and plan.segment_price is not None:
            cost = (
                f"estimated cost {_money(plan.cost, plan.currency)} "
                f"({_money(plan.segment_price, plan.currency, exact=True)} a segment)"
            )
        else:
            cost = "cost unknown (no price set)"
        lines.append(f"SMS: {_segments(plan.sms_segments)}, {cost}")
    times = []
    if channels["telegram"]:
        rate = plan.rates["telegram"]
        times.append(f"Telegram {format_duration(plan.seconds['telegram'])} at {rate:g}/s")
    if plan.sms_segments:
        rate = plan.rates["sms"]
        times.append(
            f"SMS {format_duration(plan.seconds['sms'])} at {rate:g} segment"
            + ("" if rate == 1 else "s")
            + "/s"
        )
    if times:
        lines.append(
            "Time at the limits: " + ", ".join(times) + f"; about {format_duration(plan.duration)}"
        )
    warnings = plan.warnings
    if warnings:
        lines.append("Warnings:")
        lines += [f"  - {warning}" for warning in warnings]
    if plan.languages:
        lines.append("Texts:")
        for language in plan.languages:
            note = f" (the {edition.default_language} text)" if language.fallback else ""
            first, *more = language.text.splitlines() or [""]
            lines.append(f"  {language.locale}{note}: {first}")
            lines += [f"    {line}" for line in more]
    return lines
