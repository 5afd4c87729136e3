"""The result of a count as a resident reads it, in their language, per channel.

Telegram gets the full text (it goes with the bar chart): the funded projects
with their amounts and votes, the money per theme, turnout, the rule in one
plain sentence, and what happens next. SMS gets the essentials in at most three
segments, and can tell a resident how their own choices fared and how the
projects from their own ideas did; optional parts (the names of the most-voted
winners) are added only while the text still fits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal

from pbbot.counting.election import Outcome
from pbbot.counting.vessels import funded_by_theme
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_money, format_number, format_percentage
from pbbot.i18n.sms import normalize_for_sms, sms_segments

__all__ = ["MAX_SMS_SEGMENTS", "TELEGRAM_LIMIT", "render_results"]

MAX_SMS_SEGMENTS = 3
TELEGRAM_LIMIT = 4096  # characters in one Telegram message
_NAME_LENGTH = 60
_FIRST_NAMES = 3  # on SMS, winners named before turnout and what comes next

# Pabulib's themes are translated; themes a city made up are shown as written.
KNOWN_THEMES = (
    N_("community building"),
    N_("culture"),
    N_("education"),
    N_("education and science"),
    N_("environmental protection"),
    N_("health"),
    N_("health and welfare"),
    N_("nature and greenery"),
    N_("public space"),
    N_("public transit and roads"),
    N_("sport"),
    N_("sport and recreation"),
    N_("urban greenery"),
    N_("welfare"),
)
_ELIGIBLE_KEYS = ("num_eligible", "eligible_voters", "num_eligible_voters")


def render_results(
    outcome: Outcome,
    tr: Translator,
    *,
    channel: str = "telegram",
    chosen: Collection[str] | None = None,
    own: Collection[str] | None = None,
    vessels: bool = False,
    split: Mapping[str, Decimal] | None = None,
) -> str:
    """The results text for `channel` ("telegram" or "sms").

    `chosen` are the projects this resident voted for (their own ballot, known
    only to the sender); the text then says how many of them were funded.
    `own` are the projects that came from the resident's own ideas: the text
    says whether each was funded.

    `vessels`: a count of communicating vessels, whose "projects" are the
    themes and whose costs are the themes' shares of the budget
    (`pbbot.voting.pb_export`); the text then tells how the budget is divided.
    `split` is then this resident's own division (theme -> amount).
    """
    if vessels:
        return _vessels(outcome, tr, channel, split)
    if channel == "sms":
        return _sms(outcome, tr, chosen, own)
    return _telegram(outcome, tr, chosen, own)


def _money(tr: Translator, outcome: Outcome, amount: Decimal) -> str:
    return format_money(amount, outcome.election.currency, tr.babel_locale)


def _headline(outcome: Outcome, tr: Translator) -> str:
    count = len(outcome.selected)
    return tr.ngettext(
        "Vote results: {count} project is funded, for {spent} of the {budget} budget.",
        "Vote results: {count} projects are funded, for {spent} of the {budget} budget.",
        count,
    ).format(
        count=format_number(count, tr.babel_locale),
        spent=_money(tr, outcome, outcome.spent),
        budget=_money(tr, outcome, outcome.election.budget),
    )


def _turnout(outcome: Outcome, tr: Translator) -> str:
    election = outcome.election
    voters = election.voters
    text = tr.ngettext("{voters} resident voted.", "{voters} residents voted.", voters).format(
        voters=format_number(voters, tr.babel_locale)
    )
    eligible = next((election.meta[k] for k in _ELIGIBLE_KEYS if election.meta.get(k)), None)
    if eligible and eligible.isdigit() and int(eligible) > 0:
        share = format_percentage(Decimal(voters) / int(eligible), tr.babel_locale)
        text += " " + tr.gettext("That is {percent} of the residents who could vote.").format(
            percent=share
        )
    return text


def _rule(outcome: Outcome, tr: Translator) -> str:
    election = outcome.election
    if outcome.rule.startswith("equal") and outcome.voter_budget is not None:
        sentence = tr.gettext(
            "How the winners were chosen: the budget was shared equally among all voters "
            "(the Method of Equal Shares), and a project was funded when its supporters' "
            "shares together could pay for it."
        )
    elif outcome.rule == "greedy-no-skip":
        sentence = tr.gettext(
            "How the winners were chosen: the projects with the most votes were funded "
            "first, until the next one no longer fitted in the budget."
        )
    elif outcome.rule.startswith("equal"):  # the comparison step chose greedy
        sentence = tr.gettext(
            "How the winners were chosen: more voters preferred funding the most-voted "
            "projects to the Method of Equal Shares, so the most-voted projects were funded."
        )
    elif election.vote_type == "cumulative":
        sentence = tr.gettext(
            "How the winners were chosen: the projects with the most points were funded "
            "first; a project that no longer fitted in the budget was skipped."
        )
    else:
        sentence = tr.gettext(
            "How the winners were chosen: the projects with the most votes were funded "
            "first; a project that no longer fitted in the budget was skipped."
        )
    threshold = election.score_threshold
    if threshold and outcome.rule in ("greedy-threshold", "greedy-no-skip"):
        sentence += " " + tr.ngettext(
            "Projects with fewer than {threshold} vote could not win.",
            "Projects with fewer than {threshold} votes could not win.",
            threshold,
        ).format(threshold=format_number(threshold, tr.babel_locale))
    return sentence


def _theme(tr: Translator, theme: str) -> str:
    return tr.gettext(theme) if theme in KNOWN_THEMES else theme


def _short(name: str) -> str:
    return name if len(name) <= _NAME_LENGTH else name[: _NAME_LENGTH - 1].rstrip() + "…"


def _telegram(
    outcome: Outcome,
    tr: Translator,
    chosen: Collection[str] | None,
    own: Collection[str] | None = None,
) -> str:
    election = outcome.election
    locale = tr.babel_locale
    head = [_headline(outcome, tr), _turnout(outcome, tr)]
    if own and (from_ideas := _own(outcome, tr, own)):
        head.append(from_ideas)
    if chosen:
        head.append(_mine(outcome, tr, chosen))
    projects = []
    for project_id in outcome.selected:
        project = election.project_by_id[project_id]
        votes = int(election.scores[project_id])
        projects.append(
            "• "
            + tr.gettext("{label}: {amount} ({detail})").format(
                label=_short(project.name or project_id),
                amount=_money(tr, outcome, project.cost),
                detail=tr.ngettext("{votes} vote", "{votes} votes", votes).format(
                    votes=format_number(votes, locale)
                ),
            )
        )
    themes = []
    by_theme = funded_by_theme(outcome)
    if by_theme and outcome.spent > 0:
        themes.append(tr.gettext("Share of the money per theme:"))
        for theme, amount in by_theme.items():
            themes.append(
                "• "
                + tr.gettext("{label}: {amount} ({detail})").format(
                    label=_theme(tr, theme),
                    amount=_money(tr, outcome, amount),
                    detail=format_percentage(amount / outcome.spent, locale),
                )
            )
    tail = [
        _rule(outcome, tr),
        tr.gettext(
            "What happens next: the city now carries out the funded projects, "
            "and we will keep you posted here."
        ),
    ]

    def assemble(shown: int) -> str:
        listed = projects[:shown]
        if shown < len(projects):
            more = len(projects) - shown
            listed.append(
                tr.ngettext(
                    "…and {count} more project.", "…and {count} more projects.", more
                ).format(count=format_number(more, locale))
            )
        blocks = ["\n".join(head), "\n".join(listed), "\n".join(themes), "\n\n".join(tail)]
        return "\n\n".join(block for block in blocks if block)

    shown = len(projects)
    text = assemble(shown)
    while len(text) > TELEGRAM_LIMIT and shown > 0:
        shown -= 1
        text = assemble(shown)
    return text


def _mine(outcome: Outcome, tr: Translator, chosen: Collection[str]) -> str:
    mine = [project_id for project_id in chosen if project_id in outcome.election.project_by_id]
    funded = sum(1 for project_id in mine if outcome.is_selected(project_id))
    if len(mine) == 1:
        return (
            tr.gettext("Your project was funded.")
            if funded
            else tr.gettext("Your project was not funded.")
        )
    return tr.ngettext(
        "{funded} of your {chosen} projects was funded.",
        "{funded} of your {chosen} projects were funded.",
        funded,
    ).format(
        funded=format_number(funded, tr.babel_locale),
        chosen=format_number(len(mine), tr.babel_locale),
    )


def _own(outcome: Outcome, tr: Translator, own: Collection[str], *, names: bool = True) -> str:
    """How the projects from the resident's own ideas fared; "" if none is on the ballot.
    `names`: a single project by its name (else only whether it was funded)."""
    by_id = outcome.election.project_by_id
    ideas = [project_id for project_id in own if project_id in by_id]
    if not ideas:
        return ""
    funded = sum(1 for project_id in ideas if outcome.is_selected(project_id))
    if len(ideas) == 1:
        if not names:
            return (
                tr.gettext("The project from your idea is funded.")
                if funded
                else tr.gettext("The project from your idea is not funded.")
            )
        name = _short(by_id[ideas[0]].name or ideas[0])
        text = (
            tr.gettext("The project from your idea, {name}, is funded.")
            if funded
            else tr.gettext("The project from your idea, {name}, is not funded.")
        )
        return text.format(name=name)
    return tr.ngettext(
        "{funded} of the {count} projects from your ideas is funded.",
        "{funded} of the {count} projects from your ideas are funded.",
        funded,
    ).format(
        funded=format_number(funded, tr.babel_locale),
        count=format_number(len(ideas), tr.babel_locale),
    )


def _fits(text: str) -> bool:
    return sms_segments(text).segments <= MAX_SMS_SEGMENTS


def _sms(
    outcome: Outcome,
    tr: Translator,
    chosen: Collection[str] | None,
    own: Collection[str] | None = None,
) -> str:
    """Headline and the resident's own (their ideas' projects, their ballot)
    always; then, while it fits, the three most-voted winners by name, turnout,
    what comes next, and the other winners by name."""
    parts = [_headline(outcome, tr)]
    if own:
        # By name while that fits beside the rest of what is theirs.
        personal = [_mine(outcome, tr, chosen)] if chosen else []
        named = _own(outcome, tr, own)
        if named and not _fits(normalize_for_sms(" ".join([*parts, named, *personal]))):
            named = _own(outcome, tr, own, names=False)
        if named:
            parts.append(named)
    if chosen:
        parts.append(_mine(outcome, tr, chosen))
    # The most-voted winners by name right after the headline: the first few
    # before turnout and what comes next, more while they still fit.
    election = outcome.election
    winners = sorted(outcome.selected, key=lambda p: (-election.scores[p], p))
    names: list[str] = []

    def text() -> str:
        shown = [parts[0]]
        if names:
            listed = "; ".join(names)
            rest = len(winners) - len(names)
            if rest:  # the list is cut short: say so, rather than look complete
                more = tr.ngettext("and {count} more project", "and {count} more projects", rest)
                listed += " " + more.format(count=format_number(rest, tr.babel_locale))
            shown.append(tr.gettext("Funded: {names}.").format(names=listed))
        return normalize_for_sms(" ".join([*shown, *parts[1:]]))

    def add_names(most: int) -> None:
        for project_id in winners[len(names) : most]:
            names.append(_short(election.project_by_id[project_id].name or project_id))
            if not _fits(text()):
                names.pop()
                return

    add_names(_FIRST_NAMES)
    next_step = tr.gettext("The city now carries out the funded projects.")
    for extra in (_turnout(outcome, tr), next_step):
        parts.append(extra)
        if not _fits(text()):
            parts.pop()
    add_names(len(winners))
    return text()


def _vessels(
    outcome: Outcome, tr: Translator, channel: str, split: Mapping[str, Decimal] | None
) -> str:
    """Communicating vessels: each theme's share, largest first, and where the
    resident put the most. SMS: the headline and the resident's own always, the
    shares largest first while they fit, then turnout and what comes next."""
    election = outcome.election
    locale = tr.babel_locale
    budget = election.budget
    headline = tr.gettext(
        "Vote results: the {budget} budget is divided over the themes as the voters chose."
    ).format(budget=_money(tr, outcome, budget))
    themes = sorted(
        (p for p in election.projects if outcome.is_selected(p.id) and p.cost > 0),
        key=lambda p: (-p.cost, p.id),
    )
    shares = [
        tr.gettext("{label}: {amount} ({detail})").format(
            label=_short(p.name or p.id),
            amount=_money(tr, outcome, p.cost),
            detail=format_percentage(p.cost / budget if budget else 0, locale),
        )
        for p in themes
    ]
    mine = ""
    given = {theme: amount for theme, amount in (split or {}).items() if amount > 0}
    if given:
        most = max(given, key=lambda theme: (given[theme], theme))
        if most in election.project_by_id:
            project = election.project_by_id[most]
            mine = tr.gettext("You gave the most to {theme}; it gets {amount}.").format(
                theme=_short(project.name or most),
                amount=_money(
                    tr, outcome, project.cost if outcome.is_selected(most) else Decimal(0)
                ),
            )
    rule = tr.gettext(
        "How the budget was divided: each theme gets the average of what the voters gave it."
    )
    if channel != "sms":
        head = [headline, _turnout(outcome, tr)] + ([mine] if mine else [])
        blocks = [
            "\n".join(head),
            "\n".join("• " + share for share in shares),
            "\n\n".join(
                [
                    rule,
                    tr.gettext(
                        "What happens next: the city now carries out the funded projects, "
                        "and we will keep you posted here."
                    ),
                ]
            ),
        ]
        return "\n\n".join(block for block in blocks if block)
    # The largest shares first, as many as fit, then what is theirs, then the rest.
    listed: list[str] = []
    for share in shares:
        line = "; ".join([*listed, share]) + "."
        if listed and not _fits(normalize_for_sms(" ".join([headline, line, mine]))):
            break
        listed.append(share)
    parts = [part for part in (headline, "; ".join(listed) + "." if listed else "", mine) if part]
    for extra in (
        _turnout(outcome, tr),
        tr.gettext("The city now carries out the funded projects."),
    ):
        if _fits(normalize_for_sms(" ".join([*parts, extra]))):
            parts.append(extra)
    return normalize_for_sms(" ".join(parts))
