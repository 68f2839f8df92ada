"""The column mapping and the cells of a row: from a table's columns to corpus records (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from catalogue.errors import ImportFileError
from catalogue.importers.columns import column_mapping, record_from_row


@pytest.mark.parametrize("headers, expected", [
    (("Title", "Agency", "Resource Type", "Languages", "Year", "URL", "Abstract"),
     ["title", "agencies", "type", "languages", "year", "url", "summary"]),
    (("TITRE", "Organisation(s)", "Type de ressource", "Langue", "Année", "Lien", "Résumé", "Thèmes"),
     ["title", "agencies", "type", "languages", "year", "url", "summary", "themes"]),
    (("Título", "Organismo", "Tipo", "Idioma", "Fecha", "Enlace", "Descripción", "Regiones"),
     ["title", "agencies", "type", "languages", "year", "url", "summary", "regions"]),
    (("title", "agencies", "type", "languages", "year", "url", "summary", "themes", "stages",
      "regions", "source"),
     ["title", "agencies", "type", "languages", "year", "url", "summary", "themes", "stages",
      "regions", "source"]),
])
def test_headers_in_three_languages_name_their_fields(headers, expected):
    mapping, unused = column_mapping(headers)
    assert [mapping[i] for i in sorted(mapping)] == expected
    assert unused == []


def test_the_first_of_two_single_fields_wins_and_the_rest_is_reported_unused():
    mapping, unused = column_mapping(("Title", "Year", "Date", "Notes", ""))
    assert mapping == {0: "title", 1: "year"}
    assert unused == ["Date", "Notes"]


def test_an_explicit_mapping_overrides_and_can_ignore_a_column():
    headers = ("Doc name", "Title", "Publisher", "Lead agency")
    mapping, unused = column_mapping(headers, {"doc NAME": "title", "Publisher": "-",
                                               "Lead agency": "agencies"})
    assert mapping == {0: "title", 3: "agencies"}
    assert unused == ["Title", "Publisher"]


@pytest.mark.parametrize("headers, explicit, message", [
    (("Name of the thing", "Agency"), None, "no column gives the title"),
    (("Title",), {"Title": "headline"}, "unknown field 'headline'"),
    (("Title",), {"Nope": "summary"}, "names 'Nope', which is not a column"),
])
def test_a_mapping_that_cannot_work_is_a_file_error(headers, explicit, message):
    with pytest.raises(ImportFileError, match=message):
        column_mapping(headers, explicit)


HEADERS = ("Title", "Agencies", "Year", "URL", "Themes")
MAPPING = {0: "title", 1: "agencies", 2: "year", 3: "url", 4: "themes"}


@pytest.mark.parametrize("cells, expected", [
    ((" A  guide\nto rights ", "UNICEF; UNDP|OHCHR", "2015", "https://x.org/a", "Participation | "),
     {"title": "A guide to rights", "agencies": ["UNICEF", "UNDP", "OHCHR"], "year": "2015",
      "url": "https://x.org/a", "themes": ["Participation"]}),
    (("A guide", "UNICEF", 2015.0, None, None), {"title": "A guide", "agencies": ["UNICEF"], "year": "2015"}),
    (("A guide", "UNICEF", dt.datetime(2012, 3, 4), None, ""), {"title": "A guide", "agencies": ["UNICEF"], "year": 2012}),
    (("A guide", "UNICEF", "March 2012", None, None), {"title": "A guide", "agencies": ["UNICEF"], "year": 2012}),
    (("A guide", "UNICEF", "soon", None, None), {"title": "A guide", "agencies": ["UNICEF"], "year": "soon"}),
    (("A guide",), {"title": "A guide"}),
])
def test_cells_become_a_corpus_record(cells, expected):
    assert record_from_row(cells, HEADERS, MAPPING) == (expected, [])


@pytest.mark.parametrize("cells, problem", [
    (("A guide", "UNICEF", "2015", '=HYPERLINK("https://x.org/a","a")', None),
     'URL: holds a formula (=HYPERLINK("https://x.org/a","a")), not a value'),
    (("A guide\udce9", "UNICEF", None, None, None),
     "Title: is not valid UTF-8 (the file mixes encodings: save it as UTF-8)"),
    (("A guide", "UNICEF", None, None, None, "", "stray", "cells"),
     "the row has 7 cells and the header 5 (a delimiter inside an unquoted cell?)"),
    (("A guide", object(), None, None, None), "Agencies: holds a object, not a value"),
])
def test_cells_that_cannot_be_values_are_the_rows_problems(cells, problem):
    _, problems = record_from_row(cells, HEADERS, MAPPING)
    assert problems == [problem]
