"""Telegram: parse updates, render messages with keyboards, send through aiogram 3.

The parsing, rendering and sending logic is shared by both drivers; `bot`,
`webhook` and `polling` are the aiogram driver, `ptb` the optional
python-telegram-bot one.
"""
