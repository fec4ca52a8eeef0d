"""The bounds a file is read within, one place: every module reads them here when it
reads a file (`limits.MAX_ROWS`), so a test lowers one for all."""

from __future__ import annotations

MAX_ROWS = 20_000  # data rows after the header; every row counts, blank or not
MAX_LINE_CHARS = 100_000  # a CSV line; a row of 64 full cells of /newtask is ~25,000
MAX_COLUMNS = 64  # the formats have about six columns; the rest of a row is not read
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # the IMPORT_MAX_BYTES default
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a 20,000-row XLSX unpacks to a few MB
MAX_MERGES = 20_000  # merged ranges read from a sheet; a hostile file's others are ignored
