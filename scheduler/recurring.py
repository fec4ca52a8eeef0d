"""Jobs of 'recurring' (being built)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's periodic jobs to the application's JobQueue."""
