"""`pbbot worker`: send what is queued and run the broadcasts, without the HTTP server.

For a city that sends more than one process can, or that keeps sending apart
from receiving (`pbbot serve --no-send`): any number of workers share the
PostgreSQL database with the server, each with its share of the channels'
rate limits (PBBOT_SENDING_PROCESSES). Same senders and settings as `serve`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from pbbot.commands.options import add_common_options, database_url, edition_path
from pbbot.commands.serve import add_settings_option, configure_logging, server_settings
from pbbot.settings import Settings

__all__ = ["register"]

_log = logging.getLogger("pbbot.worker")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "worker", help="send queued messages and broadcasts (no HTTP server)"
    )
    add_settings_option(parser)
    add_common_options(parser)
    parser.set_defaults(run=_worker)


def _worker(args: argparse.Namespace) -> int:
    configure_logging()
    # Polling settings: a worker receives nothing, so it needs no webhook secret.
    settings = server_settings(args, polling=True)
    for warning in settings.warnings:
        _log.warning(warning)
    asyncio.run(_run(args, settings))
    return 0


async def _run(args: argparse.Namespace, settings: Settings) -> None:
    from pbbot.broadcasts.worker import BroadcastWorker
    from pbbot.config.edition_file import load_edition
    from pbbot.features import load_features
    from pbbot.outbox.sender import Outbox
    from pbbot.server.app import SenderFactories, channel_senders, outbox_limits
    from pbbot.storage.database import create_engine, create_sessionmaker, is_sqlite
    from pbbot.storage.migrations import upgrade

    edition = load_edition(edition_path(args))
    load_features()  # the resident states a reminder's audience may name
    url = database_url()
    if is_sqlite(url):
        await upgrade(url)  # as `serve` does: the embedded default needs no separate step
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    senders = channel_senders(settings, SenderFactories())
    try:
        outbox = Outbox(sessionmaker, senders, limits=outbox_limits(settings))
        broadcasts = BroadcastWorker(sessionmaker, edition, queued=outbox.wake)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        _log.info("worker started: sending on %s", ", ".join(senders) or "no channel")
        await asyncio.gather(outbox.run(stop), broadcasts.run(stop))
    finally:
        for sender in senders.values():
            with contextlib.suppress(Exception):
                await sender.close()
        await engine.dispose()
    _log.info("worker stopped")
