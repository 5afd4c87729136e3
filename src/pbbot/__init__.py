"""pbbot: take part in participatory budgeting entirely inside a chat (Telegram or SMS)."""

__version__ = "0.1.0"
