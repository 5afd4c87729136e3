"""The names of the catalog messages a broadcast can send (`pbbot broadcast --message
NAME`, `message:` of an edition file's reminder): one per phase, saying it has
begun ("voting is open until ..."), and the reminders while voting runs.

Here, below the edition file's reader, so that a reminder naming a message
that does not exist stops the load with its file and line; the texts are in
`pbbot.broadcasts.content`.
"""

from __future__ import annotations

from pbbot.domain.edition import PHASE_KINDS

__all__ = ["MESSAGE_NAMES", "REMINDER_MESSAGES"]

# Sent to those who have not voted, and to those whose basket is still a draft.
REMINDER_MESSAGES: tuple[str, ...] = ("voting_reminder", "basket_reminder")
MESSAGE_NAMES: tuple[str, ...] = (*PHASE_KINDS, *REMINDER_MESSAGES)
