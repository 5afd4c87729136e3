"""`pbbot residents export|delete`: a resident's data rights, handled by staff.

A resident who asks the city (by mail, at a desk) what pbbot stores about them
gets the export; one who asks to be forgotten is deleted with everything that
hangs off them, but for the hashed keys of their messages, which keep a
replayed webhook from bringing a deleted message back. Residents can also
erase their data themselves in the chat (main menu, "My data").
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime

from pbbot.commands.options import database_url

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("residents", help="a resident's data: export or delete")
    actions = parser.add_subparsers(dest="residents_command", required=True, metavar="ACTION")
    for name, help_text in (
        ("export", "print everything stored about a resident, as JSON"),
        ("delete", "delete a resident with their conversation, messages and events"),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument(
            "--channel", required=True, choices=("sms", "telegram", "sim-sms", "sim-telegram")
        )
        action.add_argument(
            "--address", required=True, help="phone number (+32...) or Telegram chat id"
        )
        action.set_defaults(run=lambda args: asyncio.run(_run(args)))


async def _run(args: argparse.Namespace) -> int:
    # SQLAlchemy loads only for this command, so that the others start quickly.
    from pbbot.features import load_features
    from pbbot.storage import data_rights, erasure
    from pbbot.storage.database import create_engine, create_sessionmaker

    load_features()  # their parts of a resident's data (ideas, supports, comments)

    engine = create_engine(database_url())
    try:
        async with create_sessionmaker(engine).begin() as session:
            if args.residents_command == "export":
                data = await data_rights.export_resident(session, args.channel, args.address)
                found = data is not None
                if found:
                    print(json.dumps(data, ensure_ascii=False, indent=2))
            else:
                now = datetime.now(UTC)
                key = await erasure.erasure_key(session, now=now)
                found = await data_rights.delete_resident(
                    session, args.channel, args.address, key=key, now=now
                )
                if found:
                    print("deleted")
    finally:
        await engine.dispose()
    if not found:
        print(f"pbbot: no resident {args.address} on {args.channel}")
    return 0 if found else 1
