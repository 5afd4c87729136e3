"""The `pbbot` command: one subcommand per module under `pbbot.commands`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pbbot.errors import ConfigurationError

__all__ = ["main"]

# Each module exposes `register(subparsers)`; it adds its parser and sets `run`,
# a function of the parsed arguments that returns the exit code. Every command
# imports all of these modules, so their tops import only what `register` needs:
# the libraries a command runs on load in its `run` (tests/commands/test_imports.py).
_COMMAND_MODULES = (
    "pbbot.commands.chat",
    "pbbot.commands.flows",
    "pbbot.commands.i18n",
    "pbbot.commands.db",
    "pbbot.commands.residents",
    "pbbot.commands.questions",
    "pbbot.commands.ideas",
    "pbbot.commands.projects",
    "pbbot.commands.ballots",
    "pbbot.commands.tally",
    "pbbot.commands.results",
    "pbbot.commands.phase",
    "pbbot.commands.broadcast",
    "pbbot.commands.serve",
    "pbbot.commands.worker",
    "pbbot.commands.telegram",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pbbot", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except ConfigurationError as error:
        print(f"pbbot: {error}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
