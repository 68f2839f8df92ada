"""Reading tables: a CSV or XLSX file into a header and rows of cells, within limits (pure).

CSV: a byte-order mark (UTF-8, UTF-16) says the encoding, and so does the pattern of zero
bytes of UTF-16 without one; otherwise UTF-8, and a file with no UTF-8 in it at all is
read as Windows-1252 (what Excel writes on Windows). In a file that mixes UTF-8 with
another encoding, the bytes that are not UTF-8 stay marked (as lone surrogates), so that
only their rows are rejected. The delimiter (`,`, `;` or tab) is the one the header line
uses most, or the one an Excel `sep=` line names.

XLSX: the first sheet, read-only, values as stored: a formula stays a formula (we never
evaluate one), and OOXML's `_xHHHH_` escapes become their characters again. The zip's
declared sizes are checked before anything is inflated (zip bombs), and `zipfile` never
inflates more than a member declares; rows and columns are capped too, and read past a
sheet's <dimension>, which can be wrong.

Anything that cannot be read as a table raises ImportFileError, before any row is used.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from catalogue.errors import ImportFileError

MAX_BYTES = 20 * 1024 * 1024          # of the file as uploaded
MAX_ROWS = 10_000                     # data rows, the header not counted
MAX_COLUMNS = 200
MAX_UNCOMPRESSED = 50 * 1024 * 1024   # of an XLSX's zip members together
MAX_MEMBERS = 1_000                   # files inside an XLSX
EXCEL_ROWS = 1_048_576                # the most rows a sheet can have
DELIMITERS = (",", ";", "\t")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_ZIP = b"PK\x03\x04"
_BINARY = {b"\xd0\xcf\x11\xe0": "an old Excel .xls (or other OLE) file: save it as .xlsx or CSV",
           b"%PDF": "a PDF file", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
           b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip file", b"PK\x05\x06": "an empty zip file"}

# How OOXML writes characters XML cannot hold (Excel's line breaks are "_x000D_\n").
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")

# The csv module refuses fields over 128 kB by default, and after refusing one it reads
# the rest of that field as new rows. The file size cap bounds fields instead.
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))


@dataclass(frozen=True)
class Table:
    """A table's header and its non-empty rows, each with its line (CSV) or row (XLSX) number."""

    kind: str                                  # "csv" or "xlsx"
    headers: tuple[str, ...]
    rows: list[tuple[int, tuple]]              # cells: str for CSV; str, numbers, dates for XLSX
    encoding: str | None = None                # CSV only: how the bytes were decoded
    delimiter: str | None = None               # CSV only


def read_table(data: bytes, filename: str) -> Table:
    """Read `data` as the table `filename` holds: XLSX when it is a zip file (a file
    named .xlsx that is not one is refused), CSV otherwise. Raise ImportFileError when it
    cannot be read as a table."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"{filename} is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    if data.startswith(_ZIP):
        return _read_xlsx(data, filename)
    if PurePath(filename).suffix.lower() in XLSX_SUFFIXES:
        raise ImportFileError(f"{filename} is not an XLSX workbook (not a zip file)")
    return _read_csv(data, filename)


# ----------------------------------------------------------------------------- CSV


def _utf16_without_bom(head: bytes) -> str | None:
    """Return utf-16-le or -be when zero bytes fall on one parity only (ASCII-heavy text)."""
    if len(head) < 4 or head.count(0) < len(head) // 4:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd > len(head) // 4 and even == 0:
        return "utf-16-le"
    if even > len(head) // 4 and odd == 0:
        return "utf-16-be"
    return None


def decode_csv(data: bytes, filename: str) -> tuple[str, str]:
    """Return the text of a CSV file and the encoding it was read with."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise ImportFileError(f"{filename} starts as {name} but is not ({exc.reason} "
                                      f"at byte {exc.start:,})") from None
    head = data[:8192]
    if name := _utf16_without_bom(head):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            pass
    for magic, what in _BINARY.items():
        if data.startswith(magic):
            raise ImportFileError(f"{filename} is {what}, not a CSV or XLSX table")
    controls = sum(1 for byte in head if byte < 0x20 and byte not in b"\t\n\r\x0c")
    if controls > len(head) // 20:  # text has a stray one or two at most
        raise ImportFileError(f"{filename} looks binary, not like a CSV or XLSX table")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "surrogateescape")
    if any(ch > "\x7f" and not "\udc80" <= ch <= "\udcff" for ch in text):
        return text, "utf-8 mixed with another encoding"
    return data.decode("cp1252", "replace"), "windows-1252"


def _delimiter(text: str) -> tuple[str, str]:
    """Return the delimiter and the text without an Excel `sep=` line."""
    first, _, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        return first.strip()[4], rest
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(DELIMITERS, key=header.count), text


def _read_csv(data: bytes, filename: str) -> Table:
    text, encoding = decode_csv(data, filename)
    delimiter, text = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: tuple[str, ...] | None = None
    rows: list[tuple[int, tuple]] = []
    start = 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if headers is None:
            headers = _headers(cells, filename)
            continue
        rows.append((line, tuple(cells)))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(f"{filename} has more than {MAX_ROWS:,} rows; split it")
    if headers is None:
        raise ImportFileError(f"{filename} holds no table (no header line)")
    return Table("csv", headers, rows, encoding, delimiter)


def _headers(cells, filename: str) -> tuple[str, ...]:
    headers = tuple("" if cell is None else str(cell).strip() for cell in cells)
    while headers and not headers[-1]:
        headers = headers[:-1]
    if len(headers) > MAX_COLUMNS:
        raise ImportFileError(f"{filename} has {len(headers):,} columns; "
                              f"the limit is {MAX_COLUMNS}")
    return headers


# ---------------------------------------------------------------------------- XLSX


def _check_zip(data: bytes, filename: str) -> None:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportFileError(f"{filename} is not an XLSX workbook (a damaged zip file: "
                              f"{exc})") from None
    if len(members) > MAX_MEMBERS:
        raise ImportFileError(f"{filename} holds {len(members):,} files; an XLSX workbook "
                              f"has a few dozen (the limit is {MAX_MEMBERS:,})")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNCOMPRESSED:
        raise ImportFileError(f"{filename} would unpack to {unpacked:,} bytes; the limit is "
                              f"{MAX_UNCOMPRESSED:,}")


def _read_xlsx(data: bytes, filename: str) -> Table:
    _check_zip(data, filename)
    import openpyxl  # noqa: PLC0415  (slow to import; only tables need it)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no default style" and the like
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                return _sheet_table(workbook, filename)
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl, zipfile and XML parsers raise many kinds on bad files
        raise ImportFileError(f"{filename} cannot be read as an XLSX workbook "
                              f"({type(exc).__name__}: {str(exc)[:200]})") from None


def _unescape(value):
    if isinstance(value, str) and "_x" in value:
        return _OOXML_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), value)
    return value


def _sheet_table(workbook, filename: str) -> Table:
    if not workbook.worksheets:
        raise ImportFileError(f"{filename} has no worksheet")
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # a wrong <dimension> would hide rows below it
    headers: tuple[str, ...] | None = None
    rows: list[tuple[int, tuple]] = []
    # Rows are read as far as the sheet goes (gaps come as empty rows), to Excel's last
    # row at most, each as long as its last cell.
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > EXCEL_ROWS:
            raise ImportFileError(f"{filename} has rows beyond row {EXCEL_ROWS:,}")
        if not cells:
            continue
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        if headers is None:
            headers = _headers(cells, filename)
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(f"{filename} has more than {MAX_ROWS:,} rows; split it")
        if len(cells) > MAX_COLUMNS and any(cell is not None for cell in cells[MAX_COLUMNS:]):
            raise ImportFileError(f"{filename} has more than {MAX_COLUMNS} columns")
        rows.append((number, tuple(_unescape(cell) for cell in cells[:MAX_COLUMNS])))
    if headers is None:
        raise ImportFileError(f"{filename}: the first sheet is empty")
    return Table("xlsx", headers, rows)


def table_bytes(path: str | Path) -> bytes:
    """Read a table file, refusing one over MAX_BYTES before reading it."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportFileError(f"{path.name} is {size:,} bytes; the limit is {MAX_BYTES:,}")
        return path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror}") from None
