"""Periodic jobs on python-telegram-bot's JobQueue; the database holds all the work.

No job per reminder: a few jobs with fixed names read due work from the database, so a
restart loses nothing and needs nothing rebuilt.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from scheduler import delivery, digest, recurring


def install(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every module's periodic jobs to the application (each adds its own, once)."""
    for register in (delivery.register, recurring.register, digest.register):
        register(application)
