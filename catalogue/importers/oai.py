"""Harvest another repository over OAI-PMH (oai_dc) through the pipeline.

sickle speaks the protocol (verbs, resumption tokens, error codes, records); every page
it asks for is fetched by `fetch.py`, so the address policy (checked after DNS
resolution, on every redirect), robots.txt, the deadline, the size cap and the retries
apply to a harvest as to a crawl. A record is found again by its OAI identifier.

From oai_dc: dc:title; dc:creator and dc:publisher as agencies, those the vocabulary
knows; the first dc:type that names a resource type (else "other"); dc:language; the
year of dc:date; a dc:identifier URL (one off the repository's host first: a landing
page on the repository is kept as the record's source); dc:description; dc:subject as
themes and dc:coverage as regions, when they name one.

A deleted record brings nothing. A product harvested before whose record is now deleted
is named in the report's notes and left as it is: withdrawing it is for a curator.
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import urlencode, urlsplit

from sickle import Sickle, oaiexceptions
from sickle.response import OAIResponse
from sqlalchemy import select

from catalogue.importers.errors import FetchError, HarvestError
from catalogue.importers.fetch import Fetcher, Response
from catalogue.importers.html import clean, language_tag, year_of
from catalogue.importers.pipeline import (Pipeline, Rejection, Row, Suggest, origin_key,
                                          record_candidates, source_name)
from catalogue.importers.report import ImportReport
from catalogue.importers.runs import record_run
from catalogue.store import Store
from catalogue.tables import ProductRow
from catalogue.validation import MAX_SUMMARY
from catalogue.vocabularies import Vocabularies

XML_TYPES = ("text/xml", "application/xml")
OAI_PMH = "{http://www.openarchives.org/OAI/2.0/}OAI-PMH"
# sickle raises one class per OAI-PMH error code, none of them derived from another.
PROTOCOL_ERRORS = (oaiexceptions.BadArgument, oaiexceptions.BadVerb,
                   oaiexceptions.BadResumptionToken, oaiexceptions.CannotDisseminateFormat,
                   oaiexceptions.IdDoesNotExist, oaiexceptions.NoSetHierarchy,
                   oaiexceptions.NoMetadataFormat, oaiexceptions.NoRecordsMatch,
                   oaiexceptions.OAIError)


class _Answer:
    """What sickle's OAIResponse reads of a `requests` response, made from one of ours."""

    def __init__(self, response: Response):
        self.content = response.body

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class _FetchingSickle(Sickle):
    """sickle, with every request made by our Fetcher instead of `requests`."""

    def __init__(self, endpoint: str, fetcher: Fetcher):
        super().__init__(endpoint)
        self.fetcher = fetcher

    def harvest(self, **kwargs) -> OAIResponse:
        """Ask the repository once (sickle calls this for every page); refuse what is not
        OAI-PMH."""
        separator = "&" if "?" in self.endpoint else "?"
        response = self.fetcher.fetch(self.endpoint + separator + urlencode(kwargs),
                                      accept=XML_TYPES)
        answer = OAIResponse(_Answer(response), params=kwargs)
        root = answer.xml
        if root is None or root.tag != OAI_PMH:
            raise HarvestError(f"{response.final_url} did not answer with OAI-PMH XML")
        return answer


def _values(metadata: dict, name: str) -> list[str]:
    return [text for value in metadata.get(name) or [] if (text := clean(value))]


def dc_record(metadata: dict, vocabularies: Vocabularies, endpoint: str, identifier: str) -> dict:
    """Return the corpus-format record of an oai_dc record (sickle's dict of lists)."""
    def known(name: str, values: list[str]) -> list[str]:
        return [value for value in values if vocabularies[name].resolve(value)]

    names = list(dict.fromkeys(_values(metadata, "creator") + _values(metadata, "publisher")))
    types = known("resource_type", _values(metadata, "type"))
    languages = known("language", [language_tag(v) or v for v in _values(metadata, "language")])
    home = urlsplit(endpoint).netloc.lower()
    urls = [v for v in _values(metadata, "identifier") if v.startswith(("http://", "https://"))]
    on_home = [url for url in urls if urlsplit(url).netloc.lower() == home]
    elsewhere = [url for url in urls if url not in on_home]
    summary = _values(metadata, "description")[:1]
    record_url = f"{endpoint}?" + urlencode({"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                             "identifier": identifier})
    return {
        "title": (_values(metadata, "title") or [""])[0],
        # Unknown names are kept when none is known, so the rejection says which.
        "agencies": known("agency", names) or names[:3],
        "type": types[0] if types else "other",
        "languages": languages,
        "year": next(filter(None, map(year_of, _values(metadata, "date"))), None),
        "url": (elsewhere or on_home or [None])[0],
        "summary": summary[0][:MAX_SUMMARY] if summary else "",
        "themes": known("theme", _values(metadata, "subject")),
        "regions": known("region", _values(metadata, "coverage")),
        "source": on_home[0] if on_home else record_url,
    }


def _rows(sickle: _FetchingSickle, arguments: dict, vocabularies: Vocabularies,
          report: ImportReport, deleted: list[str]) -> Iterator[Row | Rejection]:
    try:
        records = sickle.ListRecords(**arguments)
    except oaiexceptions.NoRecordsMatch:
        return
    except PROTOCOL_ERRORS as exc:
        code = type(exc).__name__
        raise HarvestError(f"{sickle.endpoint} answered {code[0].lower() + code[1:]}: "
                           f"{str(exc)[:300]}") from None
    number = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except (FetchError, HarvestError, *PROTOCOL_ERRORS) as exc:
            report.notes.append(f"the harvest stopped after {number} records ({exc}); "
                                "run it again: what came in is found again, not repeated")
            return
        except (AttributeError, IndexError, TypeError, ValueError) as exc:
            number += 1  # sickle fails on a record without a header or metadata
            yield Rejection(sickle.endpoint, number,
                            f"a malformed OAI-PMH record ({type(exc).__name__})")
            continue
        number += 1
        identifier = record.header.identifier or ""
        if record.deleted:
            deleted.append(identifier)
        elif not identifier.strip():
            yield Rejection(sickle.endpoint, number, "a record without an identifier")
        else:
            yield (identifier, number, dc_record(record.metadata, vocabularies, sickle.endpoint,
                                                 identifier), identifier)


def _note_deleted(store: Store, source: str, identifiers: list[str], report: ImportReport) -> None:
    keys = {origin_key(source, f"id:{identifier}"): identifier for identifier in identifiers}
    with store.read() as session:
        found = session.execute(select(ProductRow.origin_key, ProductRow.id, ProductRow.status)
                                .where(ProductRow.origin_key.in_(list(keys)))).all()
    for key, product_id, status in found:
        report.notes.append(f"{keys[key]} is deleted at the source; product {product_id} "
                            f"({status}) stays as it is: withdraw it in the curator workspace "
                            "if it should go")
    if len(identifiers) > len(found):
        report.notes.append(f"{len(identifiers) - len(found)} deleted records that were never "
                            "harvested: nothing to do")


def harvest(store: Store, vocabularies: Vocabularies, endpoint: str, fetcher: Fetcher, *,
            source: str, actor: str, set_spec: str | None = None, from_date: str | None = None,
            trusted: bool = False, suggest: Suggest | None = None) -> ImportReport:
    """Harvest the oai_dc records of `endpoint` (a set of them, changed since a date).

    Products land pending review unless `trusted`. Raise HarvestError or FetchError when
    the repository cannot be harvested at all; a failure midway ends the harvest with a
    note, keeping what came in.
    """
    source = source_name(source)
    arguments = {"metadataPrefix": "oai_dc"}
    if set_spec:
        arguments["set"] = set_spec
    if from_date:
        arguments["from"] = from_date
    report, deleted = ImportReport(), []
    sickle = _FetchingSickle(endpoint, fetcher)
    pipeline = Pipeline(vocabularies, source=source, importer=f"oai:{source}", trusted=trusted,
                        suggest=suggest, actor=actor, report=report)
    pipeline.run(store, record_candidates(_rows(sickle, arguments, vocabularies, report, deleted)))
    if deleted:
        _note_deleted(store, source, deleted, report)
    record_run(store, "harvest", source, report.short_summary(),
               {"url": endpoint, "set": set_spec, "from": from_date, "actor": actor,
                **report.as_dict()})
    return report
