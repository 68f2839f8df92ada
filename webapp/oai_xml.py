"""OAI-PMH 2.0 responses as XML: the envelope, each verb's element, and oai_dc records.

Built with the standard library's ElementTree from the dataclasses of `webapp.oai_protocol`;
element order follows the protocol's schema (OAI-PMH.xsd).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Iterable, Mapping

from webapp.oai_protocol import (GRANULARITY, Header, MetadataFormat, OAISet, Page, Record,
                                 Repository, format_datestamp)

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
SCHEMA_LOCATION = f"{{{XSI}}}schemaLocation"
PROTOCOL_VERSION = "2.0"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# The protocol's namespace is the default one ("" prefix), as in the protocol's examples.
for _prefix, _uri in (("", OAI), ("xsi", XSI), ("oai_dc", OAI_DC), ("dc", DC),
                      ("oai-identifier", OAI_IDENTIFIER)):
    ET.register_namespace(_prefix, _uri)

# Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _add(parent: ET.Element, tag: str, text: str | None = None, namespace: str = OAI,
         attributes: Mapping[str, str] | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{namespace}}}{tag}",
                            {name: _clean(value) for name, value in (attributes or {}).items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _element(tag: str) -> ET.Element:
    return ET.Element(f"{{{OAI}}}{tag}")


def document(base_url: str, request: Mapping[str, str] | None, body: ET.Element,
             response_date: datetime) -> bytes:
    """Return the whole response: `body` (a verb's element or an error) in the envelope.

    `request` holds the attributes echoed in <request>; None for badVerb and badArgument,
    whose arguments the protocol says not to echo.
    """
    root = ET.Element(f"{{{OAI}}}OAI-PMH", {SCHEMA_LOCATION: f"{OAI} {OAI}OAI-PMH.xsd"})
    _add(root, "responseDate", format_datestamp(response_date))
    _add(root, "request", base_url, attributes=request)
    root.append(body)
    return XML_DECLARATION + ET.tostring(root, encoding="unicode").encode("utf-8")


def error(code: str, message: str) -> ET.Element:
    """Return an <error> element."""
    element = _element("error")
    element.set("code", code)
    element.text = _clean(message)
    return element


def identify(repository: Repository) -> ET.Element:
    """Return the <Identify> element, with an oai-identifier description."""
    element = _element("Identify")
    _add(element, "repositoryName", repository.name)
    _add(element, "baseURL", repository.base_url)
    _add(element, "protocolVersion", PROTOCOL_VERSION)
    _add(element, "adminEmail", repository.admin_email)
    _add(element, "earliestDatestamp", format_datestamp(repository.earliest_datestamp))
    _add(element, "deletedRecord", "persistent")
    _add(element, "granularity", GRANULARITY)
    for encoding in repository.compression:
        _add(element, "compression", encoding)
    description = _add(element, "description")
    scheme = _add(description, "oai-identifier", namespace=OAI_IDENTIFIER,
                  attributes={SCHEMA_LOCATION: f"{OAI_IDENTIFIER} {OAI_IDENTIFIER}.xsd"})
    for tag, text in (("scheme", "oai"), ("repositoryIdentifier", repository.namespace),
                      ("delimiter", ":"), ("sampleIdentifier", repository.sample_identifier)):
        _add(scheme, tag, text, namespace=OAI_IDENTIFIER)
    return element


def _entries(verb: str, entry: str, rows: Iterable[Iterable[tuple[str, str]]]) -> ET.Element:
    element = _element(verb)
    for fields in rows:
        parent = _add(element, entry)
        for tag, text in fields:
            _add(parent, tag, text)
    return element


def list_metadata_formats(formats: Iterable[MetadataFormat]) -> ET.Element:
    """Return the <ListMetadataFormats> element."""
    return _entries("ListMetadataFormats", "metadataFormat", (
        (("metadataPrefix", f.prefix), ("schema", f.schema), ("metadataNamespace", f.namespace))
        for f in formats))


def list_sets(sets: Iterable[OAISet]) -> ET.Element:
    """Return the <ListSets> element."""
    return _entries("ListSets", "set", ((("setSpec", s.spec), ("setName", s.name)) for s in sets))


def _header(parent: ET.Element, header: Header) -> None:
    element = _add(parent, "header", attributes={"status": "deleted"} if header.deleted else None)
    _add(element, "identifier", header.identifier)
    _add(element, "datestamp", format_datestamp(header.datestamp))
    for spec in header.set_specs:
        _add(element, "setSpec", spec)


def _record(parent: ET.Element, record: Record) -> None:
    element = _add(parent, "record")
    _header(element, record.header)
    if record.header.deleted:
        return
    dc = _add(_add(element, "metadata"), "dc", namespace=OAI_DC,
              attributes={SCHEMA_LOCATION: f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"})
    for name, value in record.metadata:
        _add(dc, name, value, namespace=DC)


def get_record(record: Record) -> ET.Element:
    """Return the <GetRecord> element."""
    element = _element("GetRecord")
    _record(element, record)
    return element


def list_page(verb: str, page: Page) -> ET.Element:
    """Return a <ListIdentifiers> or <ListRecords> element: its items and resumptionToken."""
    element = _element(verb)
    for item in page.items:
        if isinstance(item, Record):
            _record(element, item)
        else:
            _header(element, item)
    if page.token is not None:
        _add(element, "resumptionToken", page.token,
             attributes={"completeListSize": str(page.complete_list_size), "cursor": str(page.cursor)})
    return element
