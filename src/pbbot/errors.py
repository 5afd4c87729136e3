"""One exception tree for pbbot.

Three tiers: configuration errors stop start-up and name file and line;
channel errors are translated from the libraries at the boundary; a resident's
unexpected input is never an exception (the engine re-prompts instead).
"""

from __future__ import annotations

__all__ = [
    "BadWebhook",
    "ChannelError",
    "ConfigurationError",
    "EditionError",
    "FlowError",
    "PabulibError",
    "PbbotError",
    "RateLimited",
    "RecipientBlocked",
    "SettingsError",
]


class PbbotError(Exception):
    """Base of every error pbbot raises on purpose."""


class ConfigurationError(PbbotError):
    """A file or setting that staff wrote is wrong; pbbot does not start half-configured.

    `source` is the file (or setting name), `line` the 1-based line where known.
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.message = message
        self.source = source
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class EditionError(ConfigurationError):
    """The edition file (a PB round's YAML) is invalid."""


class FlowError(ConfigurationError):
    """A flow file is invalid: unknown step, missing action, bad schema, ..."""


class SettingsError(ConfigurationError):
    """An environment variable or settings file value is missing or invalid."""


class PabulibError(ConfigurationError):
    """A Pabulib `.pb` file is malformed or truncated."""


class ChannelError(PbbotError):
    """A channel (Telegram, SMS) could not deliver or accept a message."""


class RateLimited(ChannelError):
    """The channel asked us to slow down; retry after `retry_after` seconds."""

    def __init__(self, retry_after: float, message: str = "rate limited"):
        self.retry_after = retry_after
        super().__init__(f"{message} (retry after {retry_after:g}s)")


class RecipientBlocked(ChannelError):
    """The resident cannot be reached on this channel (blocked the bot, opted out, ...)."""


class BadWebhook(ChannelError):
    """A webhook request is not genuine or not well-formed; answer 4xx and store nothing."""

    def __init__(self, message: str, *, status: int = 400):
        self.status = status
        super().__init__(message)
