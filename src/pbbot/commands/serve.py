"""`pbbot serve`: run the city's channels (Telegram webhook or polling, Twilio SMS)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
from pathlib import Path

from pbbot.commands.options import (
    add_common_options,
    carrier_words,
    database_url,
    edition_path,
    today,
)
from pbbot.settings import Settings, load_settings, read_settings_file

__all__ = ["configure_logging", "register", "server_settings"]

_log = logging.getLogger("pbbot.serve")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the Telegram and SMS channels")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--polling", action="store_true", help="fetch Telegram updates instead of a webhook"
    )
    parser.add_argument(
        "--no-send",
        dest="send",
        action="store_false",
        help="receive and queue only; another process sharing the database sends",
    )
    add_settings_option(parser)
    add_common_options(parser)
    parser.set_defaults(run=_serve)


def add_settings_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--settings",
        type=Path,
        metavar="FILE",
        help="PBBOT_NAME=value lines; the environment wins over the file",
    )


def server_settings(args: argparse.Namespace, *, polling: bool = False) -> Settings:
    values = read_settings_file(args.settings) if args.settings else {}
    values.update({name: value for name, value in os.environ.items() if name.startswith("PBBOT_")})
    for name, value in values.items():  # the file may also name the database and edition
        os.environ.setdefault(name, value)
    return load_settings(values, polling=polling)


def configure_logging() -> None:
    """pbbot's own events at INFO; libraries only from WARNING on (Twilio's client
    logs about twelve lines per SMS at INFO, with the Account SID in them)."""
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("pbbot").setLevel(logging.INFO)


def _serve(args: argparse.Namespace) -> int:
    configure_logging()
    settings = server_settings(args, polling=args.polling)
    for warning in settings.warnings:
        _log.warning(warning)
    # The engine and the database load only to serve, so that other commands start quickly.
    from pbbot.runtime import build_runtime
    from pbbot.storage.database import is_sqlite
    from pbbot.storage.migrations import upgrade

    url = database_url()
    runtime = build_runtime(edition_path(args), url, today(args), carrier=carrier_words())
    if is_sqlite(url):
        asyncio.run(upgrade(url))  # the embedded default needs no separate step
    # aiogram and its pydantic models take seconds: once the edition and database are right.
    from pbbot.server.app import create_app, run

    run(
        create_app(runtime, settings, polling=args.polling, send=args.send),
        host=args.host,
        port=args.port,
    )
    # The process ends now: without this, the collector's last sweep over
    # aiogram's pydantic models at exit makes every stop 0.4 s longer.
    gc.freeze()
    return 0
