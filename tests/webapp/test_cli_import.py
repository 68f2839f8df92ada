"""`hrba import-csv`, `import-jsonl`, `import-feed` and `harvest` as a user runs them (real
processes; the harvest's peer is a real `hrba serve` and its own /oai)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from sqlalchemy import select

from catalogue.model import Status
from catalogue.store import Store
from catalogue.tables import ImportRunRow
from tests.conftest import REPOSITORY, hrba_command, served
from tests.loopback import page, serving
from tests.tables import csv_bytes, make_xlsx
from tests.webapp.test_cli_collect import _products


def _env(data_dir):
    return {**os.environ, "HRBA_DATA_DIR": str(data_dir), "HRBA_CRAWL_DELAY": "0",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))}


def _hrba(data_dir, *args, timeout=300):
    return subprocess.run([hrba_command(), *args], env=_env(data_dir), capture_output=True,
                          text=True, timeout=timeout)


def _runs(data_dir) -> list[tuple[str, str, str]]:
    store = Store(f"sqlite:///{data_dir / 'hrba.sqlite3'}")
    try:
        with store.read() as session:
            return [(r.kind, r.source, r.summary) for r in session.scalars(select(ImportRunRow))]
    finally:
        store.close()


ROWS = [["Doc name", "Agency", "Type", "Language", "Year", "Link"],
        ["Rights-based programming guide", "UNDP", "Guidance", "en", "2015", "https://example.org/g"],
        ["Guía de indicadores", "UNICEF", "Indicators/Data", "es", "2018", "https://example.org/i"],
        ["", "UNFPA", "Guidance", "en", "2019", "https://example.org/none"]]


def test_import_csv_dry_run_first_then_for_real_with_a_mapping(tmp_path):
    data = tmp_path / "data"
    table = tmp_path / "partners.csv"
    table.write_bytes(csv_bytes(ROWS, delimiter=";", encoding="utf-8-sig"))
    dry = _hrba(data, "import-csv", str(table), "--map", "Doc name=title", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == "Dry run, nothing kept: 2 added, 0 updated, 0 unchanged, 1 rejected; " \
                         "2 waiting for review\n"
    assert "rejected partners.csv:4: title: is required" in dry.stderr
    assert _products(data) == [] and _runs(data) == []
    done = _hrba(data, "import-csv", str(table), "--map", "Doc name=title", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["dry_run"], report["counts"], report["pending"]) == \
        (False, {"added": 2, "updated": 0, "unchanged": 0, "rejected": 1}, 2)
    assert [(line["line"], line["product_id"]) for line in report["lines"]] == \
        [(2, "rights-based-programming-guide"), (3, "guia-de-indicadores"), (4, None)]
    assert {p.status for p in _products(data)} == {Status.PENDING_REVIEW}
    workbook = tmp_path / "partners.xlsx"
    workbook.write_bytes(make_xlsx(ROWS))
    again = _hrba(data, "import-csv", str(workbook), "--map", "Doc name=title", "--source", "partners.csv")
    assert again.stdout == "0 added, 0 updated, 2 unchanged, 1 rejected; 0 waiting for review\n"
    assert [kind for kind, _, _ in _runs(data)] == ["csv", "xlsx"]


def test_import_csv_errors_are_one_line_messages(tmp_path):
    data = tmp_path / "data"
    table = tmp_path / "partners.csv"
    table.write_bytes(csv_bytes(ROWS))
    for args, message in [
        ((str(table),), "Error: no column gives the title"),
        ((str(table), "--map", "Doc name=headline"), "Error: unknown field 'headline'"),
        ((str(table), "--map", "no equals sign"), "'no equals sign' is not HEADER=FIELD"),
    ]:
        result = _hrba(data, "import-csv", *args)
        assert result.returncode != 0 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    pdf = tmp_path / "guide.xlsx"
    pdf.write_bytes(b"%PDF-1.4 not a table")
    result = _hrba(data, "import-csv", str(pdf))
    assert result.stderr.strip().endswith("guide.xlsx is not an XLSX workbook (not a zip file)")


def test_import_jsonl_and_import_feed(tmp_path):
    data = tmp_path / "data"
    lines = tmp_path / "partner.jsonl"
    lines.write_text(json.dumps({"title": "Equity toolkit", "agencies": ["UNICEF"], "type": "Checklist/Tool",
                                 "languages": ["en"], "url": "https://example.org/equity"}) + "\n{oops\n")
    result = _hrba(data, "import-jsonl", str(lines), "--source", "partner")
    assert result.stdout == "1 added, 0 updated, 0 unchanged, 1 rejected; 1 waiting for review\n"
    assert "rejected partner.jsonl:2: not valid JSON" in result.stderr
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><language>fr</language>'
            "<item><title>Guide des droits</title><link>https://example.org/droits</link>"
            "<guid>g1</guid></item></channel></rss>")
    with serving({"/feed.rss": page(feed, "application/rss+xml")}) as server:
        refused = _hrba(data, "import-feed", server.base + "/feed.rss", "--agency", "OHCHR")
        assert refused.returncode != 0 and "loopback" in refused.stderr and server.requests == []
        fed = _hrba(data, "import-feed", server.base + "/feed.rss", "--agency", "OHCHR", "--allow-private")
    assert fed.stdout == "1 added, 0 updated, 0 unchanged, 0 rejected; 1 waiting for review\n", fed.stderr
    guide = next(p for p in _products(data) if p.title == "Guide des droits")
    assert (guide.agencies, guide.languages, guide.status) == (("ohchr",), ("fr",), Status.PENDING_REVIEW)
    assert [(kind, source) for kind, source, _ in _runs(data)] == \
        [("jsonl", "partner"), ("feed", server.base.removeprefix("http://") + "/feed.rss")]


def test_harvesting_our_own_oai_endpoint_brings_every_published_product_once(tmp_path, ready_data_dir):
    peer = tmp_path / "peer"
    shutil.copytree(ready_data_dir, peer)
    mine = tmp_path / "mine"
    store = Store(f"sqlite:///{peer / 'hrba.sqlite3'}")
    try:
        published = sorted(p.title for p in store.iter_products(status=Status.PUBLISHED))
        with served(peer, settings={"HRBA_OAI_PAGE_SIZE": "100"}) as base:
            first = _hrba(mine, "harvest", base + "/oai", "--allow-private", "--json")
            assert first.returncode == 0, first.stderr
            report = json.loads(first.stdout)
            assert report["counts"] == {"added": len(published), "updated": 0, "unchanged": 0,
                                        "rejected": 0}
            harvested = _products(mine)
            assert sorted(p.title for p in harvested) == published  # each exactly once
            assert {p.status for p in harvested} == {Status.PENDING_REVIEW}
            second = _hrba(mine, "harvest", base + "/oai", "--allow-private")
            assert second.stdout == f"0 added, 0 updated, {len(published)} unchanged, 0 rejected; " \
                                    "0 waiting for review\n"
            gone = harvested[0]
            with store.write() as writer:
                writer.update(writer.get(gone.id).with_changes(status=Status.WITHDRAWN))
            third = _hrba(mine, "harvest", base + "/oai", "--allow-private")
    finally:
        store.close()
    assert third.stdout.startswith(f"0 added, 0 updated, {len(published) - 1} unchanged")
    assert f"is deleted at the source; product {gone.id} (pending_review) stays as it is" in third.stderr
    assert next(p for p in _products(mine) if p.id == gone.id).status == Status.PENDING_REVIEW
    assert [kind for kind, _, _ in _runs(mine)] == ["harvest"] * 3
