"""The demo province: the real bot on the fake Telegram and Zalo servers, in one process.

`dondoc demo` (and `./scripts/run` without a token) builds it: `sample` writes the sample
province into an SQLite file of its own, `clock` is the demo's movable clock, `run` starts
the fake servers, the bot and the web server, and `simulator` adds the chat simulator's
page and endpoints (`/demo/...`), which exist only in this application.
"""
