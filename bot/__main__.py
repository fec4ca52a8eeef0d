"""`python -m bot` is `dondoc`."""

import sys

from bot.cli import main

sys.exit(main())
