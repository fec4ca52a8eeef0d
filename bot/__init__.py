"""The bot: its composition root, commands and processes."""

import sys

# httpx imports its command-line client (`httpx._main`) with itself, and with it click,
# pygments and rich wherever they are installed (the dev tools bring them): about 4 MB of
# the bot's resident memory for a program it never runs. Marked as not importable, httpx
# keeps a stub `main` that explains how to install the client; `dondoc serve` still loads
# click through uvicorn. Set here, before anything of the bot imports httpx.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
