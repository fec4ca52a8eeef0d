"""Read CSV (UTF-8, or UTF-16 with its BOM) and XLSX files into rows, for bulk imports.

Files come from chat, so every bound holds before or while parsing, never after: the
size before anything is parsed, the unpacked size of an XLSX before it is opened (a small
zip can unpack to gigabytes), at most MAX_COLUMNS cells of a row and at most the header
plus MAX_ROWS rows, read as a stream. An XLSX sheet's declared dimension is ignored: a
5 KB file declaring A1:XFD1048576 used to have its whole declared grid built first.

Column names are the English ones of the import contracts (`code,name,kind,...`,
`title,deadline,assignees,...`); the Vietnamese names an official would type ("mã", "tên",
"tiêu đề", "hạn", "đơn vị"...), with or without diacritics, are read as those.

A file is read as the admin sees it: an XLSX from the sheet Excel opens on (never a hidden
one), without its hidden rows (hidden or filtered out) and hidden columns (both named in
the report), a cell merged down over several rows as each row's value, and the header found
below
the title lines an official list opens with. A formula's value is the one saved with the
file; a file written by a program and never opened in Excel has none, and the cells so left
empty are noted in `Table.unsaved` (an importer refuses the file, naming them).

A module per thing: `read` (the entry, `read_table`), `csv_rows` and `xlsx_rows` (a file's
rows), `header` (its columns named), `table` (rows read as a `Table`), `report` (what an
import did, `ImportReport`), `dates` (Excel's day counts), `limits` (the bounds, read when
a file is read); its refusals are `core.spreadsheet_errors.UnreadableFile`.
"""
