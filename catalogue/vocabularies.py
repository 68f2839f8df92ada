"""Controlled vocabularies, loaded from JSON data files (`corpus/vocabularies/*.json`).

Each file holds `{"vocabulary": NAME, "description": ..., "values": [...]}`; every value
has an `id`, `labels` by language (agencies have `acronym`, `acronyms` and `names`
instead) and `aliases`. A raw string resolves to a value through its id, any label,
name, acronym or alias, compared without case, accents or extra spaces.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping

from catalogue.errors import VocabularyError

UI_LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
REQUIRED = ("agency", "theme", "resource_type", "language", "region", "programming_stage")


def lookup_key(text: str) -> str:
    """Return the comparison form of a vocabulary string: no case, accents or extra spaces."""
    text = unicodedata.normalize("NFKD", str(text)).replace("\u2019", "'")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary."""

    id: str
    labels: Mapping[str, str]
    aliases: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, object] = field(default_factory=dict)

    def label(self, language: str = "en") -> str:
        """Return the short label in `language`, falling back to English, then the id."""
        return self.labels.get(language) or self.labels.get("en") or self.id

    def name(self, language: str = "en") -> str:
        """Return the full name in `language` (agencies), else the label."""
        return self.names.get(language) or self.names.get("en") or self.label(language)

    def keys(self) -> Iterator[str]:
        """Yield every string that should resolve to this term."""
        yield self.id
        yield from self.labels.values()
        yield from self.names.values()
        yield from self.aliases


def _term_from(raw: Mapping) -> Term:
    if "acronym" in raw:  # agencies: short labels are acronyms, long ones are names
        labels = {"en": raw["acronym"], **(raw.get("acronyms") or {})}
        names = dict(raw.get("names") or {})
    else:
        labels = dict(raw.get("labels") or {})
        names = {}
    data = {k: v for k, v in raw.items() if k not in {"id", "labels", "aliases", "names", "acronyms"}}
    return Term(
        id=str(raw["id"]),
        labels=MappingProxyType(labels),
        aliases=tuple(raw.get("aliases") or ()),
        names=MappingProxyType(names),
        data=MappingProxyType(data),
    )


def _merged(term: Term, data: Mapping) -> Term:
    """Return `term` with the aliases, labels, names and acronyms of `data` added."""
    labels = dict(term.labels)
    if "acronym" in data:
        labels["en"] = data["acronym"]
    labels.update(data.get("labels") or {})
    labels.update(data.get("acronyms") or {})
    names = {**term.names, **(data.get("names") or {})}
    aliases = tuple(dict.fromkeys(term.aliases + tuple(data.get("aliases") or ())))
    return Term(id=term.id, labels=MappingProxyType(labels), aliases=aliases,
                names=MappingProxyType(names), data=term.data)


class Vocabulary:
    """The values of one vocabulary, in file order, with a case- and accent-blind lookup."""

    def __init__(self, name: str, terms: Iterable[Term], description: str = ""):
        self.name = name
        self.description = description
        self.terms: dict[str, Term] = {}
        self._lookup: dict[str, str] = {}
        for term in terms:
            if term.id in self.terms:
                raise VocabularyError(f"{name}: duplicate id {term.id!r}")
            self.terms[term.id] = term
        for term in self.terms.values():
            for key in {lookup_key(k) for k in term.keys() if k}:
                other = self._lookup.setdefault(key, term.id)
                if other != term.id:
                    raise VocabularyError(
                        f"{name}: {key!r} would resolve to both {other!r} and {term.id!r}")

    def __contains__(self, term_id: object) -> bool:
        return term_id in self.terms

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms.values())

    def __len__(self) -> int:
        return len(self.terms)

    def resolve(self, raw: str) -> str | None:
        """Return the id that `raw` names (id, label, alias...), or None if it names none."""
        if raw in self.terms:
            return raw
        return self._lookup.get(lookup_key(raw))

    def term(self, term_id: str) -> Term:
        """Return the term with `term_id`; raise KeyError if there is none."""
        return self.terms[term_id]

    def label(self, term_id: str, language: str = "en") -> str:
        """Return the label of `term_id` in `language`, or the id itself if unknown."""
        term = self.terms.get(term_id)
        return term.label(language) if term else term_id


class Vocabularies:
    """All the catalogue's vocabularies, by name."""

    def __init__(self, vocabularies: Mapping[str, Vocabulary]):
        missing = [name for name in REQUIRED if name not in vocabularies]
        if missing:
            raise VocabularyError(f"missing vocabularies: {', '.join(missing)}")
        self._by_name = dict(vocabularies)

    @classmethod
    def load(cls, directory: str | Path, overlay: Iterable[tuple[str, str, Mapping]] = ()) -> "Vocabularies":
        """Load every `*.json` vocabulary file in `directory`, then lay `overlay` over them.

        `overlay` holds (vocabulary, term id, data) rows that admins added: data in the
        files' format adds a new term, or adds aliases, labels and names to an existing one.
        """
        directory = Path(directory)
        if not directory.is_dir():
            raise VocabularyError(f"vocabulary directory not found: {directory}")
        found = {}
        for path in sorted(directory.glob("*.json")):
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                name = raw["vocabulary"]
                terms = [_term_from(value) for value in raw["values"]]
            except (ValueError, KeyError, TypeError) as exc:
                raise VocabularyError(f"{path.name}: malformed vocabulary file ({exc})") from exc
            found[name] = (terms, raw.get("description", ""))
        for name, term_id, data in overlay:
            if name not in found:
                raise VocabularyError(f"no vocabulary called {name!r}")
            terms = found[name][0]
            index = next((i for i, t in enumerate(terms) if t.id == term_id), None)
            if index is None:
                terms.append(_term_from({**data, "id": term_id}))
            else:
                terms[index] = _merged(terms[index], data)
        return cls({name: Vocabulary(name, terms, description)
                    for name, (terms, description) in found.items()})

    def __getitem__(self, name: str) -> Vocabulary:
        return self._by_name[name]

    def names(self) -> list[str]:
        """Return the vocabulary names."""
        return list(self._by_name)
