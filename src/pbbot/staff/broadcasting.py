"""Broadcasts from the staff chat: a preview first, the broadcast only on its confirm.

`/broadcast MESSAGE [segment ...]` (a catalog message), or `/broadcast text
[segment ...]` with staff's own text per language on the lines below, answers
with what would be sent (the text in the staff member's language) and the dry
run's figures and warnings, under two buttons:
"Send to N residents" and "Don't send" (or a typed `/send N`). Only that
confirm creates the broadcast, once: from the staff member who asked, for
that preview (the buttons carry its id), within `CONFIRM_WITHIN`. The open
preview is kept in the database (`pbbot.staff.previews`), so a restart
between the preview and the tap loses nothing; and the broadcast's key is the
preview's, so even two confirms at once make one broadcast.

N is the count at the preview: the worker lists the recipients when it sends,
so a resident who subscribed (or sent STOP) in between is counted then.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbbot.broadcasts import control
from pbbot.broadcasts.audience import parse_segment
from pbbot.broadcasts.content import Content, catalog_content, staff_content
from pbbot.broadcasts.planning import plan_broadcast
from pbbot.broadcasts.progress import progress
from pbbot.domain.edition import Edition
from pbbot.domain.messages import Choice, Outbound
from pbbot.errors import ConfigurationError
from pbbot.i18n.catalogs import N_, Translator
from pbbot.outbox.limits import ChannelLimits, default_limits
from pbbot.staff import broadcast_answers as answers
from pbbot.staff import previews
from pbbot.staff.commands import ControlBroadcast, PreviewBroadcast
from pbbot.staff.preview_text import preview_text, send_label
from pbbot.storage.broadcasts import find_broadcast, list_broadcasts
from pbbot.storage.tables import Broadcast

__all__ = ["StaffBroadcasts", "Tap", "tapped"]

AUDIENCE_PROBLEM = N_("The audience is not clear: {reason}")
CONTENT_PROBLEM = N_("This message cannot be sent: {reason}")
DONT_SEND = N_("Don't send")
# A preview's buttons: "staff:send:41" (41: the preview's id), within Telegram's 64 bytes.
_TAP = re.compile(r"staff:(?P<action>send|drop):(?P<preview>[0-9]{1,12})")


@dataclass(frozen=True, slots=True)
class Tap:
    """A tap on a preview's button: send it, or drop it."""

    action: Literal["send", "drop"]
    preview_id: int


def tapped(payload: str | None) -> Tap | None:
    """The preview button `payload` is, or None (a resident's button, or none)."""
    found = _TAP.fullmatch(payload or "")
    if found is None:
        return None
    return Tap("send" if found["action"] == "send" else "drop", int(found["preview"]))


def _content(message: str | None, texts: Mapping[str, str], edition: Edition) -> Content:
    """A catalog message, or staff's own texts; `ContentError` if the edition cannot send it."""
    return catalog_content(message, edition) if message else staff_content(texts, edition)


class StaffBroadcasts:
    def __init__(
        self,
        edition: Edition,
        *,
        limits: Mapping[str, ChannelLimits] | None = None,
        segment_price: Decimal | None = None,
    ):
        """`limits`: the channels' whole rates, however many processes share them
        (by default the outbox's own); `segment_price`: one SMS segment's price
        (None: unknown, and the preview says so)."""
        self._edition = edition
        self._limits = limits or default_limits()
        self._segment_price = segment_price

    async def preview(
        self,
        session: AsyncSession,
        command: PreviewBroadcast,
        *,
        preview_id: int,
        user_id: int,
        by: str,
        now: datetime,
        t: Translator,
    ) -> Outbound:
        """The preview and its buttons, kept open for the staff member's confirm."""
        edition = self._edition
        # The reasons are in English, as the command line gives them.
        try:
            content = _content(command.message, dict(command.texts), edition)
        except ConfigurationError as error:
            return Outbound(t.gettext(CONTENT_PROBLEM).format(reason=str(error)), t.locale)
        try:
            segment = parse_segment(command.specs, edition, message=content.message)
        except ConfigurationError as error:
            return Outbound(t.gettext(AUDIENCE_PROBLEM).format(reason=str(error)), t.locale)
        plan = await plan_broadcast(
            session,
            edition,
            content,
            segment,
            limits=self._limits,
            segment_price=self._segment_price,
            now=now,
        )
        text, count = preview_text(plan, content, edition, t, now=now)
        if not count:
            return Outbound(text, t.locale)
        await previews.open_preview(
            session,
            edition.id,
            user_id,
            previews.Preview(
                preview_id, content.message, content.texts, command.specs, count, by, now
            ),
        )
        return Outbound(
            text,
            t.locale,
            choices=(
                Choice(f"staff:send:{preview_id}", send_label(count, t)),
                Choice(f"staff:drop:{preview_id}", t.gettext(DONT_SEND)),
            ),
        )

    async def confirm(
        self,
        session: AsyncSession,
        *,
        user_id: int,
        now: datetime,
        t: Translator,
        preview_id: int | None = None,
        count: int | None = None,
    ) -> str:
        """Create the broadcast of the staff member's open preview: tapped (its
        `preview_id`) or typed (`count`, which must be the preview's)."""
        edition = self._edition
        preview = await previews.locked_preview(session, edition.id, user_id)
        if preview is None or preview_id not in (None, preview.preview_id):
            return await self._not_open(session, preview_id, t)
        if preview.expired(now):
            await previews.close_preview(session, edition.id, user_id)
            return t.gettext(answers.EXPIRED).format(minutes=answers.confirm_minutes())
        if count is not None and count != preview.count:
            return answers.count_differs_text(preview.count, t)  # still open: type it again
        await previews.close_preview(session, edition.id, user_id)
        try:  # checked at the preview; the edition file may have changed since
            content = _content(preview.message, preview.texts, edition)
            segment = parse_segment(preview.specs, edition, message=content.message)
        except ConfigurationError as error:
            return t.gettext(CONTENT_PROBLEM).format(reason=str(error))
        broadcast_id = await control.create_broadcast(
            session,
            edition,
            content,
            segment,
            by=preview.by,
            send_at=now,
            now=now,
            key=previews.broadcast_key(edition.id, preview.preview_id),
        )
        return t.gettext(answers.QUEUED).format(id=broadcast_id)

    async def drop(
        self, session: AsyncSession, *, user_id: int, preview_id: int, t: Translator
    ) -> str:
        """ "Don't send": the preview closes and nothing is created."""
        preview = await previews.locked_preview(session, self._edition.id, user_id)
        if preview is None or preview.preview_id != preview_id:
            return await self._not_open(session, preview_id, t)
        await previews.close_preview(session, self._edition.id, user_id)
        return t.gettext(answers.DROPPED)

    async def _not_open(self, session: AsyncSession, preview_id: int | None, t: Translator) -> str:
        """Why a tap or `/send` finds no preview: sent already, or gone."""
        if preview_id is None:
            return t.gettext(answers.NO_PREVIEW)
        key = previews.broadcast_key(self._edition.id, preview_id)
        sent = await session.scalar(select(Broadcast.id).where(Broadcast.key == key))
        if sent is not None:
            return t.gettext(answers.ALREADY_SENT).format(id=sent)
        return t.gettext(answers.NOT_OPEN)

    async def listing(self, session: AsyncSession, t: Translator) -> str:
        found = await list_broadcasts(session, self._edition.id, limit=answers.MAX_LISTED)
        return answers.list_text(found, t)

    async def status(self, session: AsyncSession, broadcast_id: int, t: Translator) -> str:
        broadcast = await self._find(session, broadcast_id)
        counted = await progress(session, broadcast_id) if broadcast is not None else None
        return answers.status_text(broadcast, broadcast_id, counted, t)

    async def control(
        self,
        session: AsyncSession,
        command: ControlBroadcast,
        *,
        by: str,
        now: datetime,
        t: Translator,
    ) -> str:
        """Pause, resume or cancel one of this edition's broadcasts."""
        broadcast_id = command.broadcast_id
        if await self._find(session, broadcast_id) is None:
            return t.gettext(answers.NO_BROADCAST).format(id=broadcast_id)
        action = {"pause": control.pause, "resume": control.resume, "cancel": control.cancel}
        try:
            moved = await action[command.action](session, broadcast_id, by=by, now=now)
        except control.BroadcastNotChanged as error:
            return answers.not_changed_text(error, t)
        return answers.changed_text(command.action, broadcast_id, moved, t)

    async def _find(self, session: AsyncSession, broadcast_id: int) -> Broadcast | None:
        """The broadcast, if it is this edition's: staff of one round see only theirs."""
        broadcast = await find_broadcast(session, broadcast_id)
        return (
            broadcast if broadcast is not None and broadcast.edition == self._edition.id else None
        )
