"""`import_table`: CSV and XLSX rows through the pipeline into SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from catalogue import revisions
from catalogue.errors import ImportFileError
from catalogue.importers.sheets import read_table
from catalogue.importers.spreadsheet import import_table
from catalogue.model import Status
from catalogue.tables import ImportRunRow, ReviewFlagRow
from tests.conftest import make_product
from tests.tables import csv_bytes, make_xlsx

HEADER = ["Title", "Agency", "Resource type", "Language", "Year", "Link", "Summary"]
GOOD = [
    ["Guide on rights-based programming", "UNICEF; UNDP", "Guidance", "English", "2015",
     "https://example.org/guide.pdf", "How to programme with rights."],
    ["Manuel des droits", "OHCHR", "Manual / handbook", "fr", "2012", "", "Un manuel."],
    ["Checklist for country analysis", "UNFPA", "Checklist/Tool", "en", "2019",
     "https://example.org/checklist", ""],
]
CURATOR = "curator@example.org"


def run(store, vocabularies, data, filename="partners.csv", **options):
    options.setdefault("source", "partners")
    options.setdefault("actor", CURATOR)
    return import_table(store, vocabularies, data, filename, **options)


def _runs(store):
    with store.read() as session:
        return session.scalars(select(ImportRunRow).order_by(ImportRunRow.id)).all()


def test_rows_land_pending_review_with_ids_titles_and_line_numbers(store, vocabularies):
    report = run(store, vocabularies, csv_bytes([HEADER, *GOOD]))
    assert [(line.line, line.outcome, line.product_id, line.status) for line in report.lines] == [
        (2, "added", "guide-on-rights-based-programming", "pending_review"),
        (3, "added", "manuel-des-droits", "pending_review"),
        (4, "added", "checklist-for-country-analysis", "pending_review")]
    assert report.pending == 3
    guide = store.get("guide-on-rights-based-programming")
    assert (guide.agencies, guide.type, guide.languages, guide.year, guide.url) == \
        (("unicef", "undp"), "guidance", ("en",), 2015, "https://example.org/guide.pdf")
    assert guide.status == Status.PENDING_REVIEW
    assert (guide.provenance.source, guide.provenance.importer, guide.provenance.canonical_url) == \
        ("partners", "csv:partners", "https://example.org/guide.pdf")
    assert revisions.history(store, guide.id)[0].actor == CURATOR
    assert report.notes[0].startswith("read partners.csv as CSV (utf-8, delimiter ','): 3 rows;")


def test_a_dry_run_reports_the_same_outcomes_and_keeps_nothing(store, vocabularies):
    data = csv_bytes([HEADER, *GOOD, GOOD[0]])
    rehearsed = run(store, vocabularies, data, dry_run=True)
    assert store.count() == 0 and _runs(store) == []
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(ReviewFlagRow)) == 0
    done = run(store, vocabularies, data)
    assert rehearsed.as_dict() == done.as_dict()
    assert rehearsed.counts == {"added": 3, "updated": 0, "unchanged": 0, "rejected": 1}
    assert rehearsed.rejected[0].reason == "repeats line 2 (same URL)"
    changed = [HEADER, [*GOOD[0][:6], "A new summary."], *GOOD[1:]]
    again = run(store, vocabularies, csv_bytes(changed), dry_run=True)
    assert again.counts == {"added": 0, "updated": 1, "unchanged": 2, "rejected": 0}
    assert store.get("guide-on-rights-based-programming").summary == "How to programme with rights."


def test_a_reimport_is_idempotent_and_a_changed_row_updates_its_product(store, vocabularies):
    run(store, vocabularies, csv_bytes([HEADER, *GOOD]))
    again = run(store, vocabularies, make_xlsx([HEADER, *GOOD]), "partners.xlsx")
    assert again.counts == {"added": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    edited = [HEADER, [*GOOD[0][:6], "A new summary."],
              [GOOD[1][0].upper(), *GOOD[1][1:6], "Un manuel révisé."], GOOD[2]]
    third = run(store, vocabularies, csv_bytes(edited))
    assert [(line.outcome, line.product_id) for line in third.lines] == [
        ("updated", "guide-on-rights-based-programming"),
        ("updated", "manuel-des-droits"),  # no URL: found again by its title, case aside
        ("unchanged", "checklist-for-country-analysis")]
    assert store.count() == 3
    assert store.get("manuel-des-droits").summary == "Un manuel révisé."


def test_trusted_rows_are_published_unless_they_look_like_a_duplicate(store, vocabularies):
    with store.write() as writer:
        writer.add(make_product(id="existing", title="Another title",
                                url="https://example.org/checklist"))
    report = run(store, vocabularies, csv_bytes([HEADER, *GOOD]), trusted=True)
    assert [line.status for line in report.lines] == ["published", "published", "pending_review"]
    with store.read() as session:
        flags = [(f.product_id, f.other_id, f.reason) for f in session.scalars(select(ReviewFlagRow))]
    assert flags == [("checklist-for-country-analysis", "existing", "same_url")]


BAD = [
    (["", "UNICEF", "Guidance", "en", "2015", "https://example.org/1", ""], "title: is required"),
    (["Unknown agency", "Ministry of Rights", "Guidance", "en", "2015", "https://example.org/2", ""],
     "agencies: unknown agency 'Ministry of Rights'"),
    (["T" * 20_000, "UNICEF", "Guidance", "en", "2015", "https://example.org/3", ""],
     "title: is 20,000 characters long; the limit is 500"),
    (["Long summary", "UNICEF", "Guidance", "en", "2015", "https://example.org/4", "s" * 20_000],
     "summary: is 20,000 characters long; the limit is 10,000"),
    (["Formula", "UNICEF", "Guidance", "en", "2015", '=HYPERLINK("https://evil.example/","click")', ""],
     'Link: holds a formula (=HYPERLINK("https://evil.example/","clic…), not a value'),
    (["Control\x00characters\x07", "UNICEF", "Guidance", "en", "2015", "https://example.org/5", ""],
     "title: contains control characters"),
    (["Bad year", "UNICEF", "Guidance", "en", "someday", "https://example.org/6", ""],
     "year: must be a whole number, not 'someday'"),
    (["Superscript year", "UNICEF", "Guidance", "en", "²", "https://example.org/8", ""],
     "year: must be a whole number, not '²'"),  # a digit to str.isdigit, not to int()
    (["Bad type", "UNICEF", "Poem", "en", "2015", "https://example.org/7", ""],
     "type: unknown resource type 'Poem'"),
    (["Bad link", "UNICEF", "Guidance", "en", "2015", "javascript:alert(1)", ""],
     "url: must be an absolute http:// or https:// address"),
]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_bad_rows_are_rejected_one_by_one_with_their_reasons(store, vocabularies, kind):
    rows = [HEADER, GOOD[0], *[row for row, _ in BAD], GOOD[2]]
    data = csv_bytes(rows) if kind == "csv" else make_xlsx(rows)
    report = run(store, vocabularies, data, f"partners.{kind}")
    assert report.counts == {"added": 2, "updated": 0, "unchanged": 0, "rejected": len(BAD)}
    assert [(line.line, line.reason) for line in report.rejected] == \
        [(3 + n, reason) for n, (_, reason) in enumerate(BAD)]
    assert report.rejected[2].title == "T" * 199 + "…"
    assert sorted(p.id for p in store.iter_products()) == \
        ["checklist-for-country-analysis", "guide-on-rights-based-programming"]


def test_a_csv_mixing_encodings_rejects_only_its_foreign_rows(store, vocabularies):
    spanish = ["Guía de programación", *GOOD[1][1:]]
    data = csv_bytes([HEADER, spanish]) + csv_bytes([["Égalité", *GOOD[2][1:]]], encoding="cp1252") \
        + csv_bytes([GOOD[0]])
    report = run(store, vocabularies, data)
    assert [(line.line, line.outcome) for line in report.lines] == \
        [(2, "added"), (3, "rejected"), (4, "added")]
    assert report.rejected[0].reason == \
        "Title: is not valid UTF-8 (the file mixes encodings: save it as UTF-8)"


def test_a_mapping_names_the_columns_the_defaults_miss(store, vocabularies):
    rows = [["Doc name", "Lead", "Kind", "Lang", "Published", "Internal ref"],
            ["A guide", "UNDP", "Guidance", "en", "2010", "X-17"]]
    report = run(store, vocabularies, csv_bytes(rows), mapping={
        "Doc name": "title", "Lead": "agencies", "Kind": "type", "Published": "year"})
    assert report.counts["added"] == 1
    assert report.notes[1] == "columns not imported: Internal ref"
    guide = store.get("a-guide")
    assert (guide.agencies, guide.type, guide.languages, guide.year) == (("undp",), "guidance", ("en",), 2010)
    with pytest.raises(ImportFileError, match="no column gives the title"):
        run(store, vocabularies, csv_bytes(rows))


def test_each_import_is_recorded_as_a_run_with_its_report(store, vocabularies):
    run(store, vocabularies, csv_bytes([HEADER, *GOOD, BAD[0][0]]))
    run(store, vocabularies, make_xlsx([HEADER, *GOOD]), "partners.xlsx")
    (first, second) = _runs(store)
    assert (first.kind, first.source, first.state) == ("csv", "partners", "finished")
    assert first.summary == "3 added, 0 updated, 0 unchanged, 1 rejected; 3 waiting for review"
    assert first.report["file"] == "partners.csv" and first.report["actor"] == CURATOR
    assert first.report["lines"][3]["reason"] == "title: is required"
    assert (second.kind, second.summary) == \
        ("xlsx", "0 added, 0 updated, 3 unchanged, 0 rejected; 0 waiting for review")


_cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_tables = st.lists(st.lists(_cells, min_size=1, max_size=8), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=600),
    _tables.map(lambda rows: csv_bytes([HEADER] + rows)),
    st.tuples(_tables, st.sampled_from(["utf-8", "utf-16", "cp1252"]), st.sampled_from(",;\t"))
    .map(lambda t: csv_bytes([HEADER] + t[0], delimiter=t[2], encoding=t[1]) if t[1] != "cp1252"
         else csv_bytes([HEADER] + t[0], delimiter=t[2], encoding="utf-8")),
))
def test_any_bytes_are_refused_as_a_file_or_every_row_is_accounted_for(sqlite_store, vocabularies, data):
    try:
        table = read_table(data, "fuzz.csv")
        report = run(sqlite_store, vocabularies, data, "fuzz.csv", dry_run=True)
    except ImportFileError as exc:
        assert str(exc)
        return
    assert [line.line for line in report.lines] == [line for line, _ in table.rows]
    assert all(line.reason for line in report.rejected)
    assert sqlite_store.count() == 0
