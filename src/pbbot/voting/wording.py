"""How the ballot reads in chat: a project's line, amounts, and every rule in
plain words at the moment it matters ("€ 45.000 left; ..."), in the
resident's language. The pure ballot core (`domain.ballots`) says what
happened; this module says it, for SMS, Telegram and the simulator alike.
"""

from __future__ import annotations

from decimal import Decimal

from pbbot.domain.ballot_problems import (
    AlreadyChosen,
    NotChosen,
    NothingChosen,
    OverBudget,
    TooFewProjects,
    TooManyProjects,
    UnderMinShare,
    UnknownProject,
)
from pbbot.domain.ballot_vessels import (
    OverTotal,
    SplitOver,
    SplitShort,
    ThemeEmpty,
    UnknownTheme,
)
from pbbot.engine.context import StepContext
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_list, format_money, format_number
from pbbot.ideas.wording import theme_name
from pbbot.voting.views import Candidate

__all__ = ["explain", "money", "numbers", "project_line", "title"]


def money(ctx: StepContext, amount: Decimal | int, t: Translator) -> str:
    return format_money(Decimal(amount), ctx.edition.currency, t.babel_locale)


def title(ctx: StepContext, project: Candidate, locale: str) -> str:
    """The project's title in the resident's language, else the edition's default."""
    return project.title.get(locale) or project.title[ctx.edition.languages[0]]


def project_line(ctx: StepContext, project: Candidate, t: Translator) -> str:
    """ "3 Speeltuin Nekkerspoel € 45.000": the number a resident types first."""
    number = format_number(project.number, t.babel_locale)
    return f"{number} {title(ctx, project, t.locale)} {money(ctx, project.cost, t)}"


def numbers(chosen: tuple[int, ...] | list[int], t: Translator) -> str:
    """ "3, 7 en 12": the chosen projects' numbers, as a list reads in the language."""
    return format_list([format_number(n, t.babel_locale) for n in chosen], t.babel_locale)


Refusal = UnknownProject | AlreadyChosen | NotChosen | OverBudget | TooManyProjects
Problem = NothingChosen | UnderMinShare | TooFewProjects
# Communicating vessels (`domain.ballot_vessels`, `voting.vessels`).
SplitRefusal = UnknownTheme | ThemeEmpty | OverTotal
SplitProblem = SplitShort | SplitOver


def explain(
    ctx: StepContext, reason: Refusal | Problem | SplitRefusal | SplitProblem, t: Translator
) -> str:
    """One refusal or problem, in plain words, with what to do about it."""
    number = format_number(getattr(reason, "number", 0), t.babel_locale)
    match reason:
        case UnknownProject():
            return t.gettext(N_("There is no project {number} on the ballot.")).format(
                number=number
            )
        case AlreadyChosen():
            return t.gettext(N_("Project {number} is already in.")).format(number=number)
        case NotChosen():
            return t.gettext(N_("Project {number} was not in.")).format(number=number)
        case OverBudget(cost=cost, left=left):
            return t.gettext(
                N_("Project {number} costs {cost}: only {left} is left. Remove one first, e.g. -3.")
            ).format(number=number, cost=money(ctx, cost, t), left=money(ctx, left, t))
        case TooManyProjects(maximum=maximum):
            text = t.ngettext(
                "You can choose at most {maximum} project. Remove one first, e.g. -3.",
                "You can choose at most {maximum} projects. Remove one first, e.g. -3.",
                maximum,
            )
            return text.format(maximum=format_number(maximum, t.babel_locale))
        case NothingChosen():
            return t.gettext(
                N_("Nothing is chosen yet. Send the numbers of the projects you want.")
            )
        case UnderMinShare(required=required, missing=missing):
            return t.gettext(
                N_("Spend at least {required} of the budget: add {missing} more in projects.")
            ).format(required=money(ctx, required, t), missing=money(ctx, missing, t))
        case TooFewProjects(minimum=minimum):
            text = t.ngettext(
                "Choose at least {minimum} project.", "Choose at least {minimum} projects.", minimum
            )
            return text.format(minimum=format_number(minimum, t.babel_locale))
        case UnknownTheme(theme=theme):
            shown = format_number(theme, t.babel_locale) if isinstance(theme, int) else theme
            return t.gettext(N_("There is no theme {number}: the themes are 1 to {count}.")).format(
                number=shown, count=format_number(len(ctx.edition.themes), t.babel_locale)
            )
        case ThemeEmpty(theme=theme):
            return t.gettext(N_("{theme} has nothing left to give.")).format(
                theme=theme_name(ctx, theme, t.locale) or theme
            )
        case OverTotal(theme=theme, total=total):
            return t.gettext(N_("{theme} can get at most the whole {total}.")).format(
                theme=theme_name(ctx, theme, t.locale) or theme, total=money(ctx, total, t)
            )
        case SplitShort(missing=missing):
            return t.gettext(
                N_("{missing} is not divided yet: give it to one or more themes.")
            ).format(missing=money(ctx, missing, t))
        case SplitOver(excess=excess, total=total):
            return t.gettext(
                N_("That is {excess} more than the {total} to divide: take it off a theme.")
            ).format(excess=money(ctx, excess, t), total=money(ctx, total, t))
