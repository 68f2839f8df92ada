"""From a table's columns to corpus-format records (pure): the column mapping and the cells.

By default a header names its field when it matches a corpus key or a common synonym in
English, French or Spanish, case, accents and punctuation aside ("Titre", "Resource
type", "Organisation(s)"). An explicit mapping `{"Header": "field"}` overrides that for
its headers and its fields; the field `-` ignores a column. Multi-valued fields (agencies,
languages, themes, stages, regions) split their cells on `;` and `|`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from catalogue.errors import ImportFileError
from catalogue.importers.html import year_of

FIELDS = ("title", "agencies", "type", "languages", "year", "url", "summary", "themes",
          "stages", "regions", "source")
MULTI_VALUED = frozenset({"agencies", "languages", "themes", "stages", "regions"})
IGNORE = "-"
_SPLIT = re.compile(r"\s*[;|]\s*")
_SYNONYMS = {
    "title": ("title", "titles", "titre", "titulo", "name", "resource title", "product",
              "resource", "document title", "nom", "nombre"),
    "agencies": ("agency", "agencies", "organisation", "organisations", "organization",
                 "organizations", "organisation s", "organization s", "agency ies",
                 "publisher", "publishers", "entity", "entities", "agence", "agences",
                 "organisme", "organismo", "organismos", "agencia", "agencias"),
    "type": ("type", "resource type", "document type", "type of resource", "kind",
             "type de ressource", "tipo", "tipo de recurso"),
    "languages": ("language", "languages", "language s", "lang", "langue", "langues",
                  "idioma", "idiomas", "lengua"),
    "year": ("year", "date", "publication year", "publication date", "published",
             "year of publication", "annee", "date de publication", "ano", "fecha"),
    "url": ("url", "link", "links", "web address", "address", "uri", "lien", "enlace",
            "document url", "resource url", "web link"),
    "summary": ("summary", "abstract", "description", "resume", "resumen", "descripcion",
                "synopsis"),
    "themes": ("theme", "themes", "topic", "topics", "subject", "subjects", "theme s",
               "tema", "temas"),
    "stages": ("stage", "stages", "programming stage", "programming stages",
               "programme stage", "programme stages", "etape", "etapes", "etapa", "etapas"),
    "regions": ("region", "regions", "geography", "geographic coverage", "coverage",
                "region s", "regiones"),
    "source": ("source", "source url", "source page", "seen at", "fuente"),
}
_BY_SYNONYM = {synonym: name for name, synonyms in _SYNONYMS.items() for synonym in synonyms}


def fold(header: str) -> str:
    """Return a header as compared: accents and case folded, punctuation as spaces."""
    text = unicodedata.normalize("NFKD", header.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[^\W_]+", text))


def column_mapping(headers: tuple[str, ...], explicit: dict[str, str] | None = None
                   ) -> tuple[dict[int, str], list[str]]:
    """Return {column index: field} and the headers left unused.

    Raise ImportFileError when the explicit mapping names an unknown field or a header
    the table lacks, or when no column gives the title.
    """
    folded = [fold(header) for header in headers]
    mapping: dict[int, str] = {}
    chosen: set[str] = set()
    for header, field in (explicit or {}).items():
        if field not in FIELDS and field != IGNORE:
            raise ImportFileError(f"unknown field {field!r} in the column mapping; the fields "
                                  f"are {', '.join(FIELDS)} (or {IGNORE} to ignore a column)")
        matches = [i for i, name in enumerate(folded) if name == fold(header)]
        if not matches:
            raise ImportFileError(f"the column mapping names {header!r}, which is not a "
                                  f"column of the table ({', '.join(filter(None, headers))})")
        for index in matches:
            mapping[index] = field
        chosen.add(field)
    for index, name in enumerate(folded):
        field = _BY_SYNONYM.get(name)
        if index in mapping or field is None or field in chosen:
            continue
        if field in mapping.values() and field not in MULTI_VALUED:
            continue  # "Year" and "Date": the first one wins
        mapping[index] = field
    mapping = {index: field for index, field in mapping.items() if field != IGNORE}
    if "title" not in mapping.values():
        raise ImportFileError(f"no column gives the title (the columns are "
                              f"{', '.join(repr(h) for h in headers if h) or 'unnamed'}); "
                              "map one to title")
    unused = [header for index, header in enumerate(headers) if index not in mapping and header]
    return mapping, unused


def _text(value) -> str | None:
    """Return a cell as text; None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    text = value.strip() if isinstance(value, str) else str(value)
    return text or None


def _year(value) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    text = _text(value)
    if text is None or text.isdecimal():
        return text
    return year_of(text) or text  # "2015-03-01" and "March 2015"; else validation says why


def _cell_problem(value) -> str | None:
    if isinstance(value, str) and value.startswith("=") and len(value) > 1:
        return f"holds a formula ({value[:40]}{'…' if len(value) > 40 else ''}), not a value"
    if value is not None and not isinstance(value, (str, int, float, bool, dt.date, dt.time)):
        return f"holds a {type(value).__name__}, not a value"  # array formulas and the like
    if isinstance(value, str) and any("\udc80" <= ch <= "\udcff" for ch in value):
        return "is not valid UTF-8 (the file mixes encodings: save it as UTF-8)"
    return None


def record_from_row(cells: tuple, headers: tuple[str, ...],
                    mapping: dict[int, str]) -> tuple[dict, list[str]]:
    """Return a row's record and the problems that reject it before any checking."""
    problems: list[str] = []
    extra = [cell for cell in cells[len(headers):] if _text(cell) is not None]
    if extra:
        problems.append(f"the row has {len(headers) + len(extra)} cells and the header "
                        f"{len(headers)} (a delimiter inside an unquoted cell?)")
    record: dict = {}
    for index, field in sorted(mapping.items()):
        value = cells[index] if index < len(cells) else None
        if problem := _cell_problem(value):
            problems.append(f"{headers[index] or field}: {problem}")
            continue
        if field == "year":
            value = _year(value)
            if value is not None:
                record.setdefault(field, value)
            continue
        text = _text(value)
        if text is None:
            continue
        if field in MULTI_VALUED:
            record.setdefault(field, []).extend(part for part in _SPLIT.split(text) if part)
        elif field == "title":
            record.setdefault(field, " ".join(text.split()))  # a cell's line breaks are layout
        else:
            record.setdefault(field, text)
    return record, problems
