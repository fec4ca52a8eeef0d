"""Run the fake Zalo Bot API on its own, to try the bot by hand.

    python -m devtools.fakezalo --port 8082

Start the bot with ZALO_BASE_URL=http://127.0.0.1:8082 and the printed token, then act
as a person and read what the bot sent:

    curl -X POST localhost:8082/_control/send_text \\
      -d '{"user_id": "a1b2c3d4", "name": "Hoa", "text": "/help"}'
    curl -X POST localhost:8082/_control/send_photo \\
      -d '{"user_id": "a1b2c3d4", "path": "bien-ban.jpg", "caption": "minh chứng"}'
    curl 'localhost:8082/_control/messages?chat_id=a1b2c3d4'
"""

from __future__ import annotations

import argparse
import threading

from devtools.fakezalo.server import DEFAULT_TOKEN, FakeZalo


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m devtools.fakezalo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--rate-limits", choices=["off", "observe", "enforce"], default="observe")
    args = parser.parse_args(argv)
    with FakeZalo(args.token, host=args.host, port=args.port, rate_limits=args.rate_limits) as z:
        print(f"Fake Zalo Bot API on {z.url}, token {z.token}")
        print(f"  bot: ZALO_BASE_URL={z.url} ZALO_BOT_TOKEN={z.token}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping")


if __name__ == "__main__":
    main()
