"""CSV and XLSX files for the importer tests: written by openpyxl, or altered by hand."""

from __future__ import annotations

import io
import re
import zipfile

SHEET = "xl/worksheets/sheet1.xml"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _as_excel_writes(value):
    """Excel writes control characters as `_xHHHH_` (XML cannot hold them)."""
    if isinstance(value, str):
        return _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", value)
    return value


def make_xlsx(rows: list[list], *, more_sheets: dict[str, list[list]] | None = None) -> bytes:
    """Return an XLSX workbook whose first sheet holds `rows` (strings starting with = are
    stored as formulas, control characters escaped, as Excel does)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([_as_excel_writes(value) for value in row])
    for title, other in (more_sheets or {}).items():
        extra = workbook.create_sheet(title)
        for row in other:
            extra.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def member(data: bytes, name: str = SHEET) -> str:
    """Return one file of a workbook, as text."""
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode("utf-8")


def with_member(data: bytes, name: str, content: str | bytes) -> bytes:
    """Return the workbook with one of its files replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
        target.writestr(name, content)
    return out.getvalue()


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """Return rows as a CSV file in `encoding`."""
    import csv

    text = io.StringIO(newline="")
    csv.writer(text, delimiter=delimiter).writerows(rows)
    return text.getvalue().encode(encoding)
