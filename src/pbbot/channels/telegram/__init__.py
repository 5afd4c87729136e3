"""Telegram through aiogram 3: parse updates, render and send messages with keyboards."""
