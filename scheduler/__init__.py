"""Periodic jobs on python-telegram-bot's JobQueue; the database holds all the work."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def install(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the periodic jobs (fixed names, added idempotently) to the application."""
