"""Every periodic job of the bot, added to python-telegram-bot's JobQueue at once."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from scheduler import delivery, digest, recurring


def install(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every module's periodic jobs to the application (each adds its own, once)."""
    for register in (delivery.register, recurring.register, digest.register):
        register(application)
