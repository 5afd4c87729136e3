"""The step type handlers; importing the package registers them all."""

from pbbot.engine.steps import action, ask, branch, choice, language, message

__all__ = ["action", "ask", "branch", "choice", "language", "message"]
