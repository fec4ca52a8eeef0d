"""The types a job sees; each channel's bot_data is an `app.services.Shared`."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext

App = Application[Any, Any, Any, Any, Any, Any]  # any channel data: read it as Shared
JobContext = CallbackContext[Any, Any, Any, Any]  # any channel context: read bot_data as Shared
