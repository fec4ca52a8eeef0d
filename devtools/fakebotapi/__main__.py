"""Run the fake Bot API server on its own, to try the bot by hand.

    python -m devtools.fakebotapi --port 8081

Start the bot with base_url http://127.0.0.1:8081/bot and base_file_url
http://127.0.0.1:8081/file/bot and the printed token. The bot's messages are logged
here. Act as a user through the control endpoints, for example:

    curl -X POST localhost:8081/_control/send_text -d '{"user_id": 1001, "text": "/start"}'
    curl -X POST localhost:8081/_control/send_document -d '{"user_id": 1001, "path": "a.csv"}'
    curl -X POST localhost:8081/_control/send_photo -d '{"user_id": 1001, "path": "a.png"}'
    curl -X POST localhost:8081/_control/send_text -d '{"user_id":1001,"text":"ok","reply_to":12}'
    curl -X POST localhost:8081/_control/press -d '{"user_id": 1001, "data": "unit:3"}'
    curl -X POST localhost:8081/_control/block -d '{"user_id": 1001}'
    curl 'localhost:8081/_control/messages?chat_id=1001'
    curl 'localhost:8081/_control/files?chat_id=1001'    (then curl -OJ its "url")
"""

from __future__ import annotations

import argparse
import logging
import threading

from devtools.fakebotapi.server import DEFAULT_TOKEN, FakeBotApi


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m devtools.fakebotapi",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--rate-limits", choices=["off", "observe", "enforce"], default="enforce")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted, logging what the bot sends."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    server = FakeBotApi(args.token, host=args.host, port=args.port, rate_limits=args.rate_limits)
    with server:
        print(f"Fake Bot API on {server.url}, token {server.token}")
        print(f"  bot: .base_url({server.base_url!r}).base_file_url({server.base_file_url!r})")
        print(
            f"  user: curl -X POST {server.url}/_control/send_text "
            '-d \'{"user_id": 1001, "text": "/start"}\''
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping")


if __name__ == "__main__":
    main()
