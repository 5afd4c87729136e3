"""The python-telegram-bot driver (optional extra `pbbot[ptb]`).

For a city that already runs a python-telegram-bot `Application` on its bot
token: `add_inbound_handler` plugs pbbot's inbound into it, `ptb_sender` sends
pbbot's messages through its `Bot`. Parsing, rendering and error semantics are
those of the default aiogram driver; only the library differs. Nothing else in
pbbot imports this package, so python-telegram-bot stays optional.
"""

from __future__ import annotations

try:
    import telegram  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "the python-telegram-bot driver needs the ptb extra: pip install 'pbbot[ptb]'"
    ) from error

from pbbot.channels.telegram.ptb.application import add_inbound_handler
from pbbot.channels.telegram.ptb.transport import (
    PtbTransport,
    make_ptb_bot,
    ptb_sender,
    translate_error,
)

__all__ = ["PtbTransport", "add_inbound_handler", "make_ptb_bot", "ptb_sender", "translate_error"]
