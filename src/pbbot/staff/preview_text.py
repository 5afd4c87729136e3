"""A broadcast's preview as the staff chat shows it: the text, then the dry run.

The text is the one residents reading the staff member's language get (or
the edition's default language, if the edition has no such residents'
language); the figures are `pbbot.broadcasts.planning`'s, written the staff
member's way. The command line shows the same plan in English (`plan_lines`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pbbot.broadcasts.content import Content, render
from pbbot.broadcasts.planning import Plan, plan_warnings
from pbbot.domain.edition import Edition
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_money
from pbbot.staff.broadcast_answers import confirm_minutes, duration_text, language_names, number

__all__ = ["preview_text", "send_label"]

HEAD = N_("Preview of “{message}”, in {language}:")
HEAD_OWN = N_("Preview of your text, in {language}:")
EVERYONE = N_("Audience: every subscriber")
AUDIENCE = N_("Audience: {specs}")
RECIPIENTS = N_("Recipients: {count}")
LANGUAGE_LINE = N_("· {language}: {count}")
SEGMENTS_EACH = N_("Segments per SMS: {sizes}")
SMS_COST = N_("SMS segments in all: {segments}. Estimated cost: {cost}.")
SMS_TOTAL = N_("SMS segments in all: {segments}.")
DURATION = N_("Sending takes about {duration} at the rate limits.")
CONFIRM = N_(
    "Nothing is sent until you confirm, within {minutes} minutes: "
    "tap a button or type /send {count}."
)
_CHANNELS = (("telegram", "Telegram"), ("sms", "SMS"))


def send_label(count: int, t: Translator) -> str:
    label = t.ngettext("Send to {count} resident", "Send to {count} residents", count)
    return label.format(count=number(count, t))


def preview_text(
    plan: Plan, content: Content, edition: Edition, t: Translator, *, now: datetime
) -> tuple[str, int]:
    """The preview, and how many residents it would reach (0: nothing to confirm)."""
    # The staff member's language if residents read it (and, for staff's own texts,
    # one was given in it); else the default language, which every text falls back on.
    readable = t.locale in edition.languages
    written = content.message is not None or t.locale in content.texts
    shown = t.locale if readable and written else edition.default_language
    name = language_names([shown], t)
    head = (
        t.gettext(HEAD).format(message=content.message, language=name)
        if content.message is not None
        else t.gettext(HEAD_OWN).format(language=name)
    )
    lines = [
        head,
        render(content, edition, shown, now=now),
        "",
    ]
    specs = plan.segment.specs
    lines.append(
        t.gettext(AUDIENCE).format(specs="; ".join(specs)) if specs else t.gettext(EVERYONE)
    )
    count = plan.residents
    lines.append(t.gettext(RECIPIENTS).format(count=number(count, t)) + _split(plan.channels, t))
    for language in plan.languages:
        split = _split({"telegram": language.telegram, "sms": language.sms}, t)
        line = t.gettext(LANGUAGE_LINE).format(
            language=language_names([language.locale], t), count=number(language.residents, t)
        )
        lines.append(line + split)
    if plan.sms_segments:
        sizes = " · ".join(
            f"{language.locale} {language.sms_size.segments}"
            for language in plan.languages
            if language.sms
        )
        lines.append(t.gettext(SEGMENTS_EACH).format(sizes=sizes))
        segments = number(plan.sms_segments, t)
        if plan.cost is None:
            lines.append(t.gettext(SMS_TOTAL).format(segments=segments))
        else:
            cost = format_money(plan.cost, plan.currency, t.babel_locale)
            lines.append(t.gettext(SMS_COST).format(segments=segments, cost=cost))
    if count:
        lines.append(t.gettext(DURATION).format(duration=duration_text(plan.duration, t)))
    lines.extend(f"⚠️ {warning}" for warning in plan_warnings(plan, t))
    if count:
        lines.append(t.gettext(CONFIRM).format(minutes=confirm_minutes(), count=count))
    return "\n".join(lines), count


def _split(counts: Mapping[str, int], t: Translator) -> str:
    """ " (Telegram 8.000 · SMS 4.345)": the channels that have any."""
    parts = [
        f"{name} {number(counts[channel], t)}" for channel, name in _CHANNELS if counts.get(channel)
    ]
    return f" ({' · '.join(parts)})" if parts else ""
