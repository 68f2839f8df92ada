"""Suggestions as you type: vocabulary names and words of the catalogue's titles."""

from __future__ import annotations

from functools import lru_cache
from itertools import islice

from catalogue.vocabularies import UI_LANGUAGES, Vocabularies
from indexer.analysis import fold
from indexer.errors import IndexUnavailableError
from indexer.index import DAMAGE, SearchIndex
from indexer.phrases import raw_words

MAX_SUGGESTIONS = 8
MIN_PREFIX = 2
MIN_WORD = 3  # the last word must have this many letters before words are completed


@lru_cache(maxsize=24)
def _names(vocabularies: Vocabularies, language: str) -> tuple[tuple[str, str], ...]:
    """Return (folded, shown) for every theme, concept, agency and programming stage name;
    an acronym ("UPR", "EPU") is shown as its name in `language`."""
    names: dict[str, str] = {}
    for vocabulary in ("theme", "programming_stage", "glossary", "agency"):
        if vocabulary not in vocabularies.names():
            continue
        for term in vocabularies[vocabulary]:
            shown = [term.label(lang) for lang in UI_LANGUAGES] + list(term.names.values())
            for text in shown:
                names.setdefault(fold(text), text)
            for alias in term.aliases:
                if alias.isupper() and vocabulary != "agency":
                    names.setdefault(fold(alias) + " ", term.label(language))
    return tuple(sorted(names.items()))


def suggest(index: SearchIndex, q: str, vocabularies: Vocabularies, language: str = "en",
            limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Return up to `limit` completions of what the user has typed so far."""
    folded = fold(" ".join(q.split()))
    if len(folded) < MIN_PREFIX:
        return []
    found = [shown for key, shown in _names(vocabularies, language) if key.startswith(folded)]
    found.sort(key=len)
    suggestions = list(dict.fromkeys(found))[:limit]
    words = raw_words(q)
    if len(suggestions) < limit and words and len(words[-1]) >= MIN_WORD and not q.endswith(" "):
        head = q[: q.rfind(words[-1])]
        try:
            with index.searcher() as (searcher, _):
                reader = searcher.reader()
                completions = [t.decode("utf-8") for t in
                               islice(reader.expand_prefix("exact_title", fold(words[-1])), 200)]
                completions.sort(key=lambda t: -reader.doc_frequency("exact_title", t))
        except (IndexUnavailableError, *DAMAGE):
            completions = []
        for word in completions:
            if len(suggestions) >= limit:
                break
            candidate = head + word
            if candidate not in suggestions and fold(candidate) != folded:
                suggestions.append(candidate)
    return suggestions
