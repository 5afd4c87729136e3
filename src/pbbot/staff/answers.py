"""What the staff chat answers, in the staff member's language.

Staff read Dutch, French or English (the city's working languages); a
Telegram set to any other language gets English. Words staff type in
commands (statuses, theme ids, criteria) are shown as they are typed, and the
review history as it is recorded, so that what staff read is what they write.
"""

from __future__ import annotations

from decimal import Decimal

from babel import Locale

from pbbot.broadcasts.audience import SEGMENT_KEYS
from pbbot.domain.broadcasting import MESSAGE_NAMES
from pbbot.domain.edition import Edition
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_money
from pbbot.ideas.criteria import rejection_reasons
from pbbot.ideas.listing import IdeaDetail, StaffIdea, review_line
from pbbot.ideas.notices import QUEUED
from pbbot.ideas.review import Accept, Ask, Decision, Hide, Merge, Reject, Reviewed
from pbbot.ideas.tables import IDEA_STATUSES
from pbbot.staff.commands import SYNTAX, TEXT_EXAMPLE, TEXT_LINES, Problem
from pbbot.storage.audiences import resident_states

__all__ = [
    "MAX_LISTED",
    "STAFF_LOCALES",
    "decided_text",
    "help_text",
    "list_text",
    "page_text",
    "problem_text",
    "refused_text",
    "staff_locale",
]

STAFF_LOCALES = ("nl", "fr", "en")
# A longer list is more than staff can read in a chat; filters narrow it.
MAX_LISTED = 40
_CHANNELS = {"sms": "SMS", "telegram": "Telegram"}

NO_IDEAS = N_("No ideas match.")
MORE = N_("The first {shown} of {total} ideas are shown. Narrow the list: /ideas STATUS THEME")
HIDDEN_FLAG = N_("hidden")
NO_IDEA = N_("There is no idea #{number}.")
STATUS = N_("Status: {status}")
THEME = N_("Theme: {theme}")
ESTIMATE = N_("Estimated cost (the author's): {cost}")
STAFF_COST = N_("Cost (the city team's): {cost}")
PLACE = N_("Place: {place}")
PIN = N_("Location pin: {latitude}, {longitude}")
COUNTS = N_("Supporters: {supporters}. Comments: {comments}.")
MEDIA = N_("Voice note: {voice}. Photo: {photo}.")
YES, NO = N_("yes"), N_("no")
CAME = N_("Sent by {channel}, in {language}.")
ANONYMOUS = N_("Anonymous: its author erased their data.")
MERGED_INTO = N_("Merged into idea #{into}.")
QUESTION = N_("Question: {question}")
ANSWER = N_("Answer: {answer}")
NO_ANSWER = N_("(no answer yet)")
HISTORY = N_("History:")
HELP = N_("Staff commands:")
CRITERIA = N_("Criteria for /reject: {criteria}")
FILTERS = N_("Statuses: {statuses}. Themes: {themes}")
BROADCAST_MESSAGES = N_("Messages for /broadcast: {messages}")
AUDIENCE = N_(
    "Audience: everyone, or specs like {example} (each must hold; commas mean any of). Keys: {keys}"
)
# As staff type it, commas and all, in every language.
_AUDIENCE_EXAMPLE = "language=nl,fr channel=sms"
STATES = N_("States for state=: {states}")
OTHER_MESSAGES = N_(
    "Any other message goes to the residents' conversation, so you can try the bot."
)
ACCEPTED = N_("Idea #{number} is accepted, at a cost of {cost}.")
REJECTED = N_("Idea #{number} is rejected ({criterion}).")
ASKED = N_("Your question about idea #{number} is recorded.")
MERGED = N_("Idea #{number} is merged into idea #{into}.")
HIDDEN = N_("Idea #{number} is hidden from residents.")
RESTORED = N_("Idea #{number} shows to residents again.")
TOLD = N_("The author is told in {language} by {channel}.")
NOT_TOLD = N_("The author is not told: {reason}")
REFUSED = N_("Nothing was changed: {reason}")
# Why an author was not told (`Reviewed.notice`, recorded in English), as staff read it.
_NOT_TOLD: dict[str, str] = {
    "not sent: the idea is anonymous (its author erased their data)": N_(
        "The author is not told: the idea is anonymous, its author erased their data."
    ),
    "not sent: the author erased their data": N_("The author is not told: they erased their data."),
    "not sent: the author sent STOP": N_("The author is not told: they sent STOP."),
    "not sent: the author wrote in the simulator": N_(
        "The author is not told: they wrote in the simulator."
    ),
}


def staff_locale(language_hint: str | None) -> str:
    """The staff member's Telegram language if staff texts exist in it, else English."""
    primary = (language_hint or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in STAFF_LOCALES else "en"


def help_text(edition: Edition, t: Translator) -> str:
    themes = ", ".join(theme.id for theme in edition.themes)
    return "\n".join(
        [
            t.gettext(HELP),
            *SYNTAX.values(),
            t.gettext(CRITERIA).format(criteria=", ".join(rejection_reasons(edition))),
            t.gettext(FILTERS).format(statuses=", ".join(IDEA_STATUSES), themes=themes),
            t.gettext(BROADCAST_MESSAGES).format(messages=", ".join(MESSAGE_NAMES)),
            t.gettext(TEXT_LINES).format(example=TEXT_EXAMPLE),
            t.gettext(AUDIENCE).format(example=_AUDIENCE_EXAMPLE, keys=", ".join(SEGMENT_KEYS)),
            t.gettext(STATES).format(states=_states(t)),
            t.gettext(OTHER_MESSAGES),
        ]
    )


def _states(t: Translator) -> str:
    """ "not_voted (has not voted), ...": the name to type and what it means."""
    return ", ".join(
        f"{state.name} ({t.gettext(state.label)})" for state in resident_states().values()
    )


def problem_text(problem: Problem, t: Translator) -> str:
    return t.gettext(problem.text).format(**problem.values)


def refused_text(reason: str, t: Translator) -> str:
    """A request `ideas.review` refused; its reason is in English, as it is logged."""
    return t.gettext(REFUSED).format(reason=reason)


def list_text(ideas: list[StaffIdea], t: Translator) -> str:
    """One short line per idea: number, status, theme, supporters, comments, title."""
    if not ideas:
        return t.gettext(NO_IDEAS)
    lines = [_line(idea, t) for idea in ideas[:MAX_LISTED]]
    if len(ideas) > MAX_LISTED:
        lines.append(t.gettext(MORE).format(shown=MAX_LISTED, total=len(ideas)))
    return "\n".join(lines)


def _line(idea: StaffIdea, t: Translator) -> str:
    flags = f" ({t.gettext(HIDDEN_FLAG)})" if idea.hidden else ""
    return (
        f"#{idea.number} {idea.status}{flags} · {idea.theme or '-'} · "
        f"👍{idea.supporters} 💬{idea.comments} · {idea.title}"
    )


def page_text(number: int, detail: IdeaDetail | None, edition: Edition, t: Translator) -> str:
    """An idea in full: what it is, where it stands, and every decision on it."""
    if detail is None:
        return t.gettext(NO_IDEA).format(number=number)
    idea = detail.idea
    lines = [f"#{idea.number} {idea.title}"]
    if idea.description:
        lines.append(idea.description)
    flags = f" ({t.gettext(HIDDEN_FLAG)})" if idea.hidden else ""
    lines.append(t.gettext(STATUS).format(status=idea.status + flags))
    lines.append(t.gettext(THEME).format(theme=idea.theme or "-"))
    for text, amount in ((ESTIMATE, idea.estimated_cost), (STAFF_COST, idea.staff_cost)):
        if amount is not None:
            lines.append(t.gettext(text).format(cost=_money(amount, edition, t)))
    if idea.place:
        lines.append(t.gettext(PLACE).format(place=idea.place))
    if idea.latitude is not None and idea.longitude is not None:
        lines.append(t.gettext(PIN).format(latitude=idea.latitude, longitude=idea.longitude))
    lines.append(t.gettext(COUNTS).format(supporters=idea.supporters, comments=idea.comments))
    lines.append(
        t.gettext(MEDIA).format(
            voice=t.gettext(YES if idea.voice_file_id else NO),
            photo=t.gettext(YES if idea.photo_file_id else NO),
        )
    )
    lines.append(_came(idea, t))
    if idea.merged_into is not None:
        lines.append(t.gettext(MERGED_INTO).format(into=idea.merged_into))
    for question, answer in detail.questions:
        lines.append(t.gettext(QUESTION).format(question=question))
        lines.append(t.gettext(ANSWER).format(answer=answer or t.gettext(NO_ANSWER)))
    if detail.reviews:
        lines.append(t.gettext(HISTORY))
    lines.extend(review_line(record) for record in detail.reviews)
    return "\n".join(lines)


def _came(idea: StaffIdea, t: Translator) -> str:
    if idea.channel is None:
        return t.gettext(ANONYMOUS)
    return t.gettext(CAME).format(
        channel=_CHANNELS.get(idea.channel, idea.channel),
        language=_language(idea.locale, t) if idea.locale else "-",
    )


def decided_text(
    reviewed: Reviewed,
    decision: Decision,
    idea: StaffIdea | None,
    edition: Edition,
    t: Translator,
) -> str:
    """What was done, and whether (or why not) the author was told."""
    number = reviewed.number
    match decision:
        case Accept(cost=int(cost)):
            done = t.gettext(ACCEPTED).format(number=number, cost=_money(cost, edition, t))
        case Reject(reason=reason):
            done = t.gettext(REJECTED).format(number=number, criterion=reason)
        case Ask():
            done = t.gettext(ASKED).format(number=number)
        case Merge(into=into):
            done = t.gettext(MERGED).format(number=number, into=into)
        case Hide():
            done = t.gettext(HIDDEN).format(number=number)
        case _:
            done = t.gettext(RESTORED).format(number=number)
    return f"{done}\n{_told(reviewed.notice, idea, edition, t)}"


def _told(notice: str, idea: StaffIdea | None, edition: Edition, t: Translator) -> str:
    if notice == QUEUED and idea is not None and idea.channel is not None:
        return t.gettext(TOLD).format(
            # An author who never chose a language is told in the edition's first one.
            language=_language(idea.locale or edition.default_language, t),
            channel=_CHANNELS.get(idea.channel, idea.channel),
        )
    known = _NOT_TOLD.get(notice)
    return t.gettext(known) if known else t.gettext(NOT_TOLD).format(reason=notice)


def _language(code: str, t: Translator) -> str:
    """ "Turks" for a Dutch staff member, "turc" for a French one."""
    return Locale.parse(code).get_display_name(t.babel_locale) or code


def _money(amount: int, edition: Edition, t: Translator) -> str:
    return format_money(Decimal(amount), edition.currency, t.babel_locale)
