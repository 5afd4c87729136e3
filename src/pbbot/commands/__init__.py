"""Subcommands of `pbbot`; each module registers one (see `pbbot.cli`)."""
