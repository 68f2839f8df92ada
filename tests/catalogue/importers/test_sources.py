"""Source files: read, checked, and their link rules."""

from __future__ import annotations

import pytest

from catalogue.importers.errors import SourceError
from catalogue.importers.sources import load_source, load_sources, source_for


GOOD = """name = "portal"
start_urls = ["https://portal.example.org/resources"]
agency = "undp"
[links]
products = ['^/resources/[a-z-]+$']
listings = ['^/resources(\\?page=\\d+)?$']
[fields]
type = { label = "Resource Type:" }
"""


def test_a_source_file_is_read_and_its_rules_classify_links(tmp_path):
    (tmp_path / "portal.toml").write_text(GOOD, encoding="utf-8")
    source = load_source(tmp_path / "portal.toml")
    assert source.kind_of("https://portal.example.org/resources/a-guide") == "product"
    assert source.kind_of("https://portal.example.org/resources?page=2") == "listing"
    assert source.kind_of("https://portal.example.org/about") is None
    assert source.kind_of("https://elsewhere.org/resources/a-guide") is None
    assert source.fields == {"type": {"label": "Resource Type:"}}
    assert [s.name for s in load_sources(tmp_path)] == ["portal"]
    assert source_for("portal", tmp_path) == source


@pytest.mark.parametrize("text, message", [
    ("start_urls = 'x'", "start_urls must list http"),
    ("start_urls = ['ftp://x.org/']", "start_urls must list http"),
    ("start_urls = ['https://x.org/']\n[links]\nproducts = ['(']", "bad link pattern"),
    ("start_urls = ['https://x.org/']\nschedule = 'hourly'", "schedule must be one of"),
    ("start_urls = ['https://x.org/']\nmax_pages = 0", "max_pages must be"),
    ("name = 'Bad Name'\nstart_urls = ['https://x.org/']", "name must be"),
    ("start_urls = [", "not valid TOML"),
])
def test_a_bad_source_file_is_a_source_error_naming_the_problem(tmp_path, text, message):
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        load_source(tmp_path / "bad.toml")


def test_a_bare_url_is_a_generic_same_host_source(tmp_path):
    source = source_for("https://www.agency.example.org/library", tmp_path)
    assert source.generic and source.name == "www-agency-example-org"
    assert source.kind_of("https://www.agency.example.org/x") == "page"
    assert source.kind_of("https://other.example.org/x") is None


def test_an_unknown_source_name_is_an_error(tmp_path):
    with pytest.raises(SourceError, match="no source named 'nope'"):
        source_for("nope", tmp_path)
