"""What the staff chat answers about broadcasts, in the staff member's language.

Counts are written with the staff member's grouping ("12.345", "12 345"),
languages by their names in the staff member's language ("Turks", "turc"),
statuses as words rather than the codes the database keeps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from babel import Locale

from pbbot.broadcasts.control import BroadcastNotChanged
from pbbot.broadcasts.progress import Progress, progress_bar
from pbbot.i18n.catalogs import N_, Translator
from pbbot.i18n.formatting import format_list, format_number
from pbbot.staff.previews import CONFIRM_WITHIN
from pbbot.storage.tables import Broadcast

__all__ = [
    "ALREADY_SENT",
    "DROPPED",
    "EXPIRED",
    "NOT_OPEN",
    "NO_PREVIEW",
    "QUEUED",
    "changed_text",
    "count_differs_text",
    "duration_text",
    "language_names",
    "list_text",
    "not_changed_text",
    "number",
    "status_text",
]

# How many broadcasts /broadcasts shows, newest first; older ones by /broadcast_status ID.
MAX_LISTED = 20
_BAR_WIDTH = 20

STATUS_NAMES: dict[str, str] = {
    "scheduled": N_("scheduled"),
    "fanning": N_("listing its recipients"),
    "sending": N_("sending"),
    "paused": N_("paused"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
}
OWN_TEXT = N_("own text")
NO_BROADCASTS = N_("No broadcasts yet. Start one with /broadcast MESSAGE.")
NO_BROADCAST = N_("There is no broadcast #{id}.")
STATUS_HEAD = N_("Broadcast #{id} ({message}): {status}")
STATUS_COUNTS = N_(
    "Recipients so far: {recipients}. Waiting: {queued}. Held: {held}. Sent: {sent}. "
    "Delivered: {delivered}. Failed: {failed}. Blocked the bot: {blocked}. Skipped: {skipped}."
)
PAUSED = N_("Broadcast #{id} is paused. Messages held: {count}. Go on with /resume {id}.")
RESUMED = N_("Broadcast #{id} goes on. Messages queued again: {count}.")
CANCELLED = N_(
    "Broadcast #{id} is cancelled. Messages not sent: {count}. "
    "Those already sent cannot be called back."
)
NOT_CHANGED = N_("Nothing was changed: broadcast #{id} is {status}.")
QUEUED = N_(
    "Broadcast #{id} is queued. Follow it with /broadcast_status {id}; "
    "hold it with /pause {id}, stop it with /cancel {id}."
)
ALREADY_SENT = N_(
    "This preview was sent already: broadcast #{id}. Follow it with /broadcast_status {id}."
)
NOT_OPEN = N_("This preview is no longer open: nothing was sent. Start again with /broadcast.")
NO_PREVIEW = N_("No preview is waiting for your confirm. Start with /broadcast MESSAGE.")
COUNT_DIFFERS = N_(
    "The number does not match your preview ({count}). Nothing was sent: "
    "type /send {count} to send it."
)
EXPIRED = N_(
    "This preview is older than {minutes} minutes: nothing was sent. "
    "Send /broadcast again for fresh figures."
)
DROPPED = N_("Not sent. Nothing was queued.")
HOURS_MINUTES = N_("{hours} h {minutes} min")
MINUTES = N_("{minutes} min")
SECONDS = N_("{seconds} s")


def number(count: int, t: Translator) -> str:
    return format_number(count, t.babel_locale)


def confirm_minutes() -> int:
    return int(CONFIRM_WITHIN.total_seconds() // 60)


def language_names(codes: Sequence[str], t: Translator) -> str:
    """ "Turks en Arabisch" for a Dutch staff member."""
    names = [Locale.parse(code).get_display_name(t.babel_locale) or code for code in codes]
    return format_list(names, t.babel_locale)


def duration_text(seconds: float, t: Translator) -> str:
    """ "40 s", "1 h 7 min": rounded up (staff plan around the end), to the minute
    from a minute on."""
    if seconds < 60:
        return t.gettext(SECONDS).format(seconds=math.ceil(seconds))
    minutes = math.ceil(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return t.gettext(MINUTES).format(minutes=minutes)
    return t.gettext(HOURS_MINUTES).format(hours=number(hours, t), minutes=minutes)


def _message(broadcast: Broadcast, t: Translator) -> str:
    return broadcast.message or t.gettext(OWN_TEXT)


def _status(status: str, t: Translator) -> str:
    return t.gettext(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def list_text(broadcasts: Sequence[Broadcast], t: Translator) -> str:
    """One line per broadcast, newest first: id, message, status, copies, when, who."""
    if not broadcasts:
        return t.gettext(NO_BROADCASTS)
    return "\n".join(
        f"#{broadcast.id} {_message(broadcast, t)} · {_status(broadcast.status, t)} · "
        f"{number(broadcast.recipients, t)} · {broadcast.send_at:%Y-%m-%d %H:%M} UTC · "
        f"{broadcast.created_by}"
        for broadcast in broadcasts[:MAX_LISTED]
    )


def status_text(
    broadcast: Broadcast | None, broadcast_id: int, progress: Progress | None, t: Translator
) -> str:
    if broadcast is None or progress is None:
        return t.gettext(NO_BROADCAST).format(id=broadcast_id)
    counts = {
        name: number(getattr(progress, name), t)
        for name in (
            "recipients", "queued", "held", "sent", "delivered", "failed", "blocked", "skipped"
        )
    }  # fmt: skip
    return "\n".join(
        [
            t.gettext(STATUS_HEAD).format(
                id=broadcast.id,
                message=_message(broadcast, t),
                status=_status(progress.status, t),
            ),
            progress_bar(progress, _BAR_WIDTH),
            t.gettext(STATUS_COUNTS).format(**counts),
        ]
    )


def changed_text(action: str, broadcast_id: int, count: int, t: Translator) -> str:
    """What `pause`, `resume` or `cancel` did, and how many copies it moved."""
    text = {"pause": PAUSED, "resume": RESUMED, "cancel": CANCELLED}[action]
    return t.gettext(text).format(id=broadcast_id, count=number(count, t))


def not_changed_text(error: BroadcastNotChanged, t: Translator) -> str:
    if error.status is None:
        return t.gettext(NO_BROADCAST).format(id=error.broadcast_id)
    return t.gettext(NOT_CHANGED).format(id=error.broadcast_id, status=_status(error.status, t))


def count_differs_text(count: int, t: Translator) -> str:
    return t.gettext(COUNT_DIFFERS).format(count=count)
