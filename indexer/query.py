"""Turn what a user typed into Whoosh queries: safe for any input, multilingual, forgiving.

The syntax is small and never fails: plain words; "exact phrases"; -word and -"phrase" to
exclude; field:value for the facets (agency:unicef, theme:health, language:fr, year:2015)
and title:word; a trailing * for a prefix (at least three letters). Everything else is
read as words. Each word (or glossary concept spanning several words) becomes a clause
that matches that word in every language's fields, its concept in any language, and, for a
word the index has never seen, its likely corrections.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from whoosh.query import And, NullQuery, Or, Phrase, Query, Term

from catalogue.vocabularies import Vocabularies
from indexer import segments
from indexer.analysis import ANALYSED_LANGUAGES, analyse, fold, stop_words
from indexer.phrases import raw_words
from indexer.ranking import BestOf
from indexer.schema import FACET_FIELDS, TEXT_LANGUAGES, WEIGHTS, text_field, title_field
from indexer.tagging import tagger_for

MAX_CLAUSES = 16
MAX_PREFIX_TERMS = 50
MIN_PREFIX = 3
CORRECTION_BOOST = 0.6
PART_OF_PHRASE = 0.4
DISTINCTIVE_SHARE = 0.05  # a word in fewer than 5% of products is distinctive
TOKEN = re.compile(r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)"?|(?P<field>[A-Za-z_]+):(?P<value>"[^"]*"?|[^\s"]+)|(?P<word>[^\s"]+))')
FIELD_VOCABULARIES = {"agency": "agency", "theme": "theme", "type": "resource_type",
                      "language": "language", "region": "region", "stage": "programming_stage"}
ACRONYM_LIKE = re.compile(r"^[A-Z][A-Z0-9]+$")


@lru_cache(maxsize=None)
def _all_stop_words() -> frozenset[str]:
    return frozenset().union(*(stop_words(lang) for lang in ANALYSED_LANGUAGES))


def clean(text: str) -> str:
    """Return `text` without control characters (they never mean anything in a query)."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") else ch for ch in text)


@dataclass
class ParsedQuery:
    """A user's query, read: the clauses to match and score, and what narrows or excludes."""

    clauses: list[Query] = field(default_factory=list)  # should match (see minimum_match)
    required: list[Query] = field(default_factory=list)  # phrases, field:value
    excluded: list[Query] = field(default_factory=list)
    proximity: list[str] = field(default_factory=list)  # folded words, for the nearness bonus
    terms: set[str] = field(default_factory=set)  # every analysed form, for snippets
    words: list[str] = field(default_factory=list)  # the plain words, as typed
    corrections: dict[str, str] = field(default_factory=dict)  # unknown word -> likely word
    languages: set[str] = field(default_factory=set)  # languages the query names ("Arabic")

    @property
    def is_everything(self) -> bool:
        """Tell whether the query asks for nothing at all (no words, no syntax)."""
        return not (self.words or self.clauses or self.required or self.excluded)

    def frozen_terms(self) -> frozenset[str]:
        """Return `terms` as a frozenset (a ParsedQuery is never changed once read), made once."""
        frozen = self.__dict__.get("_frozen_terms")
        if frozen is None or len(frozen) != len(self.terms):
            frozen = self.__dict__["_frozen_terms"] = frozenset(self.terms)
        return frozen

    def minimum_match(self) -> int:
        """Return how many clauses a product must match to count as a result."""
        n = len(self.clauses)
        return n if n <= 2 else math.ceil(n / 2)


def any_of(alternatives: list[Query]) -> Query:
    """Match any alternative; score the best one plus a share of the others.

    Summing them instead would let a common word matching in many fields and languages
    outweigh a rare, specific word matching once.
    """
    if len(alternatives) == 1:
        return alternatives[0]
    return BestOf(alternatives)


def edit_distance(a: str, b: str) -> int:
    """Return the edit distance of `a` and `b`, a swap of neighbours counting as one.

    >>> edit_distance("rigth", "right"), edit_distance("helth", "health")
    (1, 1)
    """
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


class QueryBuilder:
    """Build ParsedQuery objects against one open searcher."""

    def __init__(self, searcher, vocabularies: Vocabularies):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.vocabularies = vocabularies
        self.glossary = tagger_for(vocabularies).glossary
        self.correct = True

    def parse(self, q: str, correct: bool = True) -> ParsedQuery:
        """Read the user's query `q`; `correct` adds likely corrections of unknown words."""
        self.correct = correct
        parsed = ParsedQuery()
        plain: list[str] = []
        prefixes: list[Query] = []
        prefix_words: list[str] = []
        for match in TOKEN.finditer(clean(q)):
            negative = bool(match.group("neg"))
            if match.group("phrase") is not None:
                self._phrase(parsed, match.group("phrase"), negative)
            elif match.group("field") is not None and not self._field(parsed, match, negative):
                plain.append(f"{match.group('field')} {match.group('value').strip(chr(34))}")
            elif match.group("word") is not None:
                word = match.group("word")
                if negative:
                    parsed.excluded += [self._word_alternatives(w, parsed)
                                        for w in raw_words(word)]
                elif word in ("AND", "OR", "NOT"):
                    continue  # operators: words are ranked by how many match; use -word to exclude
                elif word.endswith("*") and len(raw_words(word)) == 1:
                    prefix_words.append(raw_words(word)[0])
                    prefixes.append(self._prefix(fold(prefix_words[-1]), parsed))
                else:
                    plain.append(word)
        self._plain(parsed, " ".join(plain))
        parsed.clauses += prefixes
        parsed.words += [w for w in prefix_words if w not in parsed.words]
        parsed.excluded = [e for e in parsed.excluded if e is not NullQuery]
        parsed.clauses = [c for c in parsed.clauses if c is not NullQuery]
        return parsed

    # -- pieces -----------------------------------------------------------------------

    def _phrase(self, parsed: ParsedQuery, text: str, negative: bool) -> None:
        words = [fold(w) for w in raw_words(text)]
        if not words:
            return
        if len(words) == 1:
            query = self._word_alternatives(text, parsed)
        else:
            query = Or([Phrase("exact_title", words, boost=WEIGHTS["exact_title"]),
                        Phrase("exact_text", words, boost=WEIGHTS["exact_text"])])
        if negative:
            parsed.excluded.append(query)
        else:
            parsed.required.append(query)
            parsed.terms.update(words)

    def _field(self, parsed: ParsedQuery, match, negative: bool) -> bool:
        name = match.group("field").lower()
        value = match.group("value").strip('"')
        if name == "title":
            fields = [title_field(lang) for lang in TEXT_LANGUAGES]
            query = Or([Term(f, t) for f in fields for t in set(analyse(f[6:], value))]
                       + [Term("exact_title", fold(w)) for w in raw_words(value)])
        elif name == "year" and value.isdigit():
            query = Term("year", value)
        elif name in FIELD_VOCABULARIES:
            term_id = self.vocabularies[FIELD_VOCABULARIES[name]].resolve(value)
            if term_id is None:
                return False
            query = Term(FACET_FIELDS[name], term_id)
        else:
            return False
        (parsed.excluded if negative else parsed.required).append(query)
        return True

    def _plain(self, parsed: ParsedQuery, text: str) -> None:
        words = raw_words(text)
        parsed.words = words
        if not words:
            return
        spans = self._concept_spans(text)
        covered = {p for span in spans for p in range(span.start, span.end + 1)}
        stops = _all_stop_words()
        meaningful = [i for i, w in enumerate(words)
                      if fold(w) not in stops or ACRONYM_LIKE.match(w) or i in covered]
        keep = set(meaningful) if meaningful else set(range(len(words)))
        clauses: list[tuple[int, Query]] = []
        for span in spans:
            inner = [self._word_alternatives(words[i], parsed)
                     for i in range(span.start, span.end + 1) if i in keep and fold(words[i]) not in stops]
            concept = [Term(f, span.value, boost=WEIGHTS[f]) for f in ("title_concepts", "text_concepts")
                       if self._present(f, span.value)]
            inner = [q for q in inner if q is not NullQuery]
            if inner:
                concept.append(And(inner) if len(inner) > 1 else inner[0])
            if len(inner) > 1:  # a distinctive word of the phrase still counts, for less
                concept += [self._word_alternatives(words[i], parsed, boost=PART_OF_PHRASE)
                            for i in range(span.start, span.end + 1)
                            if i in keep and self._distinctive(words[i])]
            concept = [q for q in concept if q is not NullQuery]
            if concept:
                clauses.append((span.start, any_of(concept)))
        for i, word in enumerate(words):
            if i in keep and i not in covered:
                clauses.append((i, self._word_alternatives(word, parsed, correct=True)))
        clauses.sort(key=lambda pair: pair[0])
        parsed.clauses = [clause for _, clause in clauses[:MAX_CLAUSES]]
        proximity = [fold(words[i]) for i in sorted(keep) if fold(words[i]) not in stops]
        if len(proximity) > 1:
            parsed.proximity = proximity

    def _concept_spans(self, text: str):
        """Return non-overlapping glossary concepts in `text`, longest first from the left."""
        chosen, taken = [], set()
        for span in sorted(self.glossary.spans(text), key=lambda s: (-(s.end - s.start), -s.size, s.start)):
            cells = set(range(span.start, span.end + 1))
            if cells & taken:
                continue
            chosen.append(span)
            taken |= cells
        return sorted(chosen, key=lambda s: s.start)

    def _language_named(self, word: str) -> str | None:
        """Return the language a word names ("Arabic", "arabe", "árabe"), if any.

        Two-letter codes are left alone: "en", "es" and "de" are words too.
        """
        if len(word) < 4:
            return None
        return self.vocabularies["language"].resolve(word)

    def _df(self, field_name: str, term: str) -> int:
        """Return the term's document frequency from the segments' kept counts: a query is
        read again for each new index generation, and only the new segment is asked."""
        return segments.doc_frequency(self.reader, field_name, term)

    def _distinctive(self, word: str) -> bool:
        """Tell whether `word` is rare enough in the catalogue to signal a topic alone."""
        folded = fold(word)
        if folded in _all_stop_words():
            return False
        share = self._df("exact_text", folded) / max(1, self.reader.doc_count())
        return 0 < share < DISTINCTIVE_SHARE

    def _present(self, field_name: str, term: str) -> bool:
        return self._df(field_name, term) > 0

    def _known(self, folded: str) -> bool:
        return any(self._df(f, folded) for f in ("exact_text", "exact_title", "tags"))

    def _word_alternatives(self, word: str, parsed: ParsedQuery, correct: bool = False,
                           boost: float = 1.0) -> Query:
        """Return the query matching `word` in every field and language."""
        folded = fold(word)
        seen: set[tuple[str, str]] = set()
        alternatives: list[Query] = []

        def add(field_name: str, terms: list[str], weight: float) -> None:
            terms = [t for t in terms if t]
            if not terms or (field_name, " ".join(terms)) in seen:
                return
            seen.add((field_name, " ".join(terms)))
            parsed.terms.update(terms)
            if not all(self._present(field_name, t) for t in terms):
                return  # a term the index lacks can match nothing: leave it out
            queries = [Term(field_name, t, boost=weight * boost) for t in terms]
            alternatives.append(queries[0] if len(queries) == 1 else And(queries))

        for language in TEXT_LANGUAGES:
            terms = analyse(language, word)
            add(title_field(language), terms, WEIGHTS["title"])
            add(text_field(language), terms, WEIGHTS["text"])
        exact = analyse("xx", word)
        add("exact_title", exact, WEIGHTS["exact_title"])
        add("exact_text", exact, WEIGHTS["exact_text"])
        add("tags", exact, WEIGHTS["tags"])
        language = self._language_named(word)
        if language:
            parsed.languages.add(language)
            alternatives.append(Term("language", language, boost=WEIGHTS["language"] * boost))
        if correct and self.correct and len(folded) >= 4 and folded.isalpha() and not self._known(folded):
            for better in self.corrections(folded):
                parsed.corrections.setdefault(word, better)
                alternatives.append(self._word_alternatives(better, parsed, boost=CORRECTION_BOOST))
        if not alternatives:
            return NullQuery
        return any_of(alternatives)

    def corrections(self, folded: str) -> list[str]:
        """Return up to two known words close to `folded`, most frequent first."""
        maxdist = 1 if len(folded) < 5 else 2
        found = self.reader.corrector("exact_text").suggest(folded, limit=8, maxdist=maxdist, prefix=1)
        found.sort(key=lambda w: (edit_distance(folded, w), -self._df("exact_text", w)))
        return found[:2]

    def _prefix(self, prefix: str, parsed: ParsedQuery) -> Query:
        """Return a capped expansion of `prefix*` over the folded text fields."""
        if len(prefix) < MIN_PREFIX:
            return self._word_alternatives(prefix, parsed) if prefix else NullQuery
        terms = [t.decode("utf-8") for t in islice(self.reader.expand_prefix("exact_text", prefix),
                                                   MAX_PREFIX_TERMS)]
        titles = [t.decode("utf-8") for t in islice(self.reader.expand_prefix("exact_title", prefix),
                                                    MAX_PREFIX_TERMS)]
        parsed.terms.update(terms + titles)
        queries = [Term("exact_title", t, boost=WEIGHTS["exact_title"]) for t in titles] + \
                  [Term("exact_text", t, boost=WEIGHTS["exact_text"]) for t in terms]
        return Or(queries) if queries else NullQuery
