"""Text written into a part of a saved zip file (a .docx, an .xlsx) where a mark stands.

Both big files the bot makes, the export's workbook and the formal report, are saved by
their library with a few rows, then have their many rows written in as text: parsed into
the document and written out again, they were most of the file's time and memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from typing import IO

Writer = Callable[[IO[bytes]], None]


def spliced(archive: bytes, mark: bytes, writers: Mapping[str, Writer], *, keep: bool) -> bytes:
    """Return the zip file with what each writer writes put where `mark` first stands in
    its part (named by its path in the file), the mark kept after it or not (`keep`); the
    other parts copied as they are."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            content = old.read(item)
            write = writers.get(item.filename)
            if write is None:
                new.writestr(item, content, compress_type=item.compress_type)
                continue
            before, found, after = content.partition(mark)
            assert found, f"{item.filename} holds the mark {mark!r}"
            with new.open(item, "w") as part:
                part.write(before)
                write(part)
                part.write(found + after if keep else after)
    return out.getvalue()
