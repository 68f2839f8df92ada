"""Reading CSV and XLSX tables: encodings, delimiters, sheets, and files that are not tables."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import zipfile

import pytest

from catalogue.errors import ImportFileError
from catalogue.importers.sheets import MAX_BYTES, MAX_COLUMNS, MAX_ROWS, read_table, table_bytes
from tests.pdfs import make_pdf
from tests.tables import SHEET, csv_bytes, make_xlsx, member, with_member

ROWS = [["Title", "Agency", "Year"], ["Guía práctica", "UNDP", "2015"],
        ["دليل النهج القائم على حقوق الإنسان", "OHCHR", "2012"]]


@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", b""),
])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters_are_recognised(encoding, bom, delimiter):
    table = read_table(bom + csv_bytes(ROWS, delimiter=delimiter, encoding=encoding), "t.csv")
    assert (table.kind, table.delimiter) == ("csv", delimiter)
    assert table.headers == ("Title", "Agency", "Year")
    assert table.rows == [(2, tuple(ROWS[1])), (3, tuple(ROWS[2]))]


def test_a_csv_with_no_utf8_at_all_is_read_as_windows_1252():
    rows = [["Titre", "Organisation"], ["Égalité des sexes — guide", "ONU Femmes"]]
    table = read_table(csv_bytes(rows, delimiter=";", encoding="cp1252"), "excel.csv")
    assert table.encoding == "windows-1252"
    assert table.rows == [(2, ("Égalité des sexes — guide", "ONU Femmes"))]


def test_a_csv_mixing_encodings_marks_only_the_lines_that_are_not_utf8():
    data = "Title,Agency\nGuía práctica,UNDP\n".encode() + "Égalité,ONU Femmes\n".encode("cp1252")
    table = read_table(data, "mixed.csv")
    assert table.encoding == "utf-8 mixed with another encoding"
    assert table.rows[0] == (2, ("Guía práctica", "UNDP"))
    assert table.rows[1][1][0] == "\udcc9galit\udce9"  # kept marked, for its row to be rejected


def test_excel_sep_line_quoted_line_breaks_and_blank_lines():
    data = b'sep=;\nTitle;Summary\n\n"A guide";"two\nlines"\n;\nNext;one\n'
    table = read_table(data, "t.csv")
    assert table.headers == ("Title", "Summary")
    assert table.rows == [(3, ("A guide", "two\nlines")), (6, ("Next", "one"))]


def test_xlsx_first_sheet_with_typed_values_formulas_and_row_numbers():
    data = make_xlsx([["Title", "Year", "Link"], ["A guide", 2015, '=HYPERLINK("https://x.org","x")'],
                      [], ["Dated", dt.datetime(2012, 3, 4), None]],
                     more_sheets={"Notes": [["Title"], ["not imported"]]})
    table = read_table(data, "t.xlsx")
    assert (table.kind, table.headers) == ("xlsx", ("Title", "Year", "Link"))
    assert table.rows == [(2, ("A guide", 2015, '=HYPERLINK("https://x.org","x")')),
                          (4, ("Dated", dt.datetime(2012, 3, 4)))]


def test_an_xlsx_is_recognised_by_its_content_whatever_its_name():
    assert read_table(make_xlsx([["Title"], ["A"]]), "upload.csv").kind == "xlsx"


def test_a_wrong_sheet_dimension_hides_no_row():
    data = make_xlsx([["Title"], ["A"]])
    sheet = member(data).replace("</sheetData>", '<row r="20000"><c r="A20000" t="inlineStr">'
                                 "<is><t>far below</t></is></c></row></sheetData>")
    assert read_table(with_member(data, SHEET, sheet), "t.xlsx").rows[-1] == (20000, ("far below",))


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _sheet_with(extra_rows: str) -> bytes:
    data = make_xlsx([["Title"], ["A"]])
    return with_member(data, SHEET, member(data).replace("</sheetData>", extra_rows + "</sheetData>"))


_LAUGHS = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
_BILLION_LAUGHS = (make_xlsx([["Title"], ["A"]]), f'<?xml version="1.0"?><!DOCTYPE worksheet '
                   f'[<!ENTITY l0 "lol">{_LAUGHS}]>')


@pytest.mark.parametrize("data, filename, message", [
    (b"", "empty.csv", "no header line"),
    (b"\n ; \n", "blank.csv", "no header line"),
    (make_pdf("A guide", ["text"]), "guide.csv", "a PDF file, not a CSV or XLSX table"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "logo.csv", "a PNG image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "old.xls", "old Excel .xls"),
    (bytes(range(256)) * 40, "random.csv", "looks binary"),
    (b"Title,Agency\nA,UNDP\n", "table.xlsx", "not an XLSX workbook (not a zip file)"),
    (make_xlsx([["Title"], ["A"]])[:600], "cut.xlsx", "damaged zip file"),
    (_zip({"products.csv": b"Title\nA\n"}), "archive.xlsx", "cannot be read as an XLSX workbook"),
    (_zip({"bomb.xml": b"\0" * (60 * 1024 * 1024)}), "bomb.xlsx", "would unpack to 62,914,560 bytes"),
    (_zip({f"f{n}.xml": b"" for n in range(1001)}), "many.xlsx", "holds 1,001 files"),
    (with_member(_BILLION_LAUGHS[0], SHEET, _BILLION_LAUGHS[1]
                 + member(_BILLION_LAUGHS[0]).replace("<t>A</t>", "<t>&l9;</t>")),
     "laughs.xlsx", "cannot be read as an XLSX workbook"),
    (_sheet_with('<row r="99999999"><c r="A99999999"><v>1</v></c></row>'), "far.xlsx",
     "rows beyond row 1,048,576"),
    (_sheet_with('<row r="3"><c r="A3"><v>1</v></c><c r="XFD3"><v>1</v></c></row>'), "wide.xlsx",
     f"more than {MAX_COLUMNS} columns"),
    (make_xlsx([["Title"]] + [["x"]] * (MAX_ROWS + 1)), "long.xlsx", f"more than {MAX_ROWS:,} rows"),
    (b"Title\n" + b"x\n" * (MAX_ROWS + 1), "long.csv", f"more than {MAX_ROWS:,} rows"),
    (",".join(f"c{n}" for n in range(MAX_COLUMNS + 1)).encode(), "wide.csv", "201 columns"),
    (b"Title\n" + b"x" * MAX_BYTES, "huge.csv", f"the limit is {MAX_BYTES:,}"),
], ids=lambda value: value if isinstance(value, str) and "." in value else None)
def test_what_is_not_a_readable_table_raises_a_clear_import_file_error(data, filename, message):
    with pytest.raises(ImportFileError) as caught:
        read_table(data, filename)
    assert message in str(caught.value) and filename in str(caught.value)


def test_a_table_file_over_the_cap_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing is written, nothing is read
    with pytest.raises(ImportFileError, match="huge.csv is 20,971,521 bytes"):
        table_bytes(path)
    with pytest.raises(ImportFileError, match="cannot read"):
        table_bytes(tmp_path / "missing.csv")
