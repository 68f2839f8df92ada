"""Text analysis per language: tokenising, case and accent folding, stop words, stemming.

Each language the catalogue serves well has its own analyser (Snowball stemming for
English, French, Spanish, Russian and Portuguese; normalisation and light stemming for
Arabic; character bigrams for Chinese); every other language gets the generic one (folding
only). Analysers are pickled into the index schema, so they live here at stable paths.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer
from whoosh.analysis import Filter, Token, Tokenizer
from whoosh.lang import stopwords_for_language

# Words are runs of letters and digits in any script; apostrophes and hyphens split them
# ("l'homme" gives "l" and "homme"), and runs of Chinese characters stand apart.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Combining marks (accents, Arabic vowel signs) and the Arabic tatweel belong to their word.
_MARKS = "".join(re.escape(chr(c)) for c in range(0x300, 0x10000)
                 if unicodedata.category(chr(c)).startswith("M") or c == 0x640)
HAN = re.compile(f"[{_HAN}]+")
WORD = re.compile(f"[{_HAN}]+|(?:[^\\W_{_HAN}]|[{_MARKS}])+")

STEMMED = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian",
           "pt": "portuguese", "ar": "arabic"}
ANALYSED_LANGUAGES = ("en", "fr", "es", "ru", "pt", "ar", "zh")
GENERIC = "xx"  # every other language

ARABIC_STOP_WORDS = frozenset("""
في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين اللذين او أو و ثم لا لم لن ما ماذا
كيف هل قد كان كانت يكون تكون بين عند كل بعض غير حول ضمن لدى نحو لكن إن ان أن كما اي أي
""".split())
# Elided French articles and pronouns ("l'", "d'", "qu'") are words of their own here.
FRENCH_ELISIONS = frozenset("l d j m n s t c qu".split())


def fold(text: str) -> str:
    """Return `text` lower-cased, without accents or Arabic diacritics; ß and ligatures opened."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch != "\u0640")


ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه",
                                "ؤ": "و", "ئ": "ي"})


def normalise_arabic(word: str) -> str:
    """Unify the Arabic letter variants writers use interchangeably (alef, ya, ta marbuta)."""
    return word.translate(ARABIC_LETTERS)


@lru_cache(maxsize=None)
def stop_words(language: str) -> frozenset[str]:
    """Return the folded stop words of `language` (empty where there is no list)."""
    if language == "ar":
        return frozenset(normalise_arabic(fold(w)) for w in ARABIC_STOP_WORDS)
    if language not in STEMMED:
        return frozenset()
    words = set(stopwords_for_language(language))
    if language == "fr":
        words |= FRENCH_ELISIONS
    return frozenset(fold(w) for w in words)


class FoldingTokenizer(Tokenizer):
    """Split text into words after folding case, accents and diacritics."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = fold(value)
            token.boost, token.stopped = 1.0, False
            if positions:
                token.pos = start_pos
            yield token
            return
        # ASCII text folds as a whole (offsets stay put); other text word by word, so
        # character offsets still point into the original.
        ascii_text = value.isascii()
        source = value.lower() if ascii_text else value
        for position, match in enumerate(WORD.finditer(source)):
            token.text = match.group() if ascii_text else fold(match.group())
            if not token.text:
                continue
            token.boost, token.stopped = 1.0, False
            if keeporiginal:
                token.original = value[match.start():match.end()]
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class LanguageFilter(Filter):
    """Drop stop words and stem what remains, for one language (Snowball)."""

    def __init__(self, language: str):
        self.language = language

    def __eq__(self, other):
        return type(other) is type(self) and other.language == self.language

    def __getstate__(self):
        return {"language": self.language}

    def __setstate__(self, state):
        self.language = state["language"]

    def __call__(self, tokens):
        stops = stop_words(self.language)
        stem = stemmer(self.language)
        for token in tokens:
            text = normalise_arabic(token.text) if self.language == "ar" else token.text
            if text in stops:
                if token.removestops:
                    continue
                token.stopped = True
                yield token
                continue
            token.text = stem(text)
            yield token


@lru_cache(maxsize=None)
def stemmer(language: str):
    """Return a cached stemming function for `language` (identity where none exists).

    A Snowball stemmer keeps the word it is stemming in itself, so the server's threads
    take turns with it: without the lock, two searches stemming at once corrupt each
    other's words, and the cache would keep the wrong stems.
    """
    if language not in STEMMED:
        return lambda word: word
    algorithm = snowballstemmer.stemmer(STEMMED[language])
    lock = threading.Lock()

    def stem(word: str) -> str:
        with lock:
            return algorithm.stemWord(word)
    return lru_cache(maxsize=100_000)(stem)


class BigramFilter(Filter):
    """Turn runs of Chinese characters into overlapping bigrams (a lone character stays)."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            if not HAN.fullmatch(text) or len(text) == 1:
                yield token
                continue
            start = getattr(token, "startchar", None)
            for i in range(len(text) - 1):
                token.text = text[i:i + 2]
                if start is not None:
                    token.startchar, token.endchar = start + i, start + i + 2
                yield token


def language_analyzer(language: str):
    """Return the analyser for text in `language` (one of ANALYSED_LANGUAGES, or GENERIC)."""
    if language in STEMMED:
        return FoldingTokenizer() | LanguageFilter(language)
    return FoldingTokenizer() | BigramFilter()  # Chinese, and any other language


def folding_analyzer():
    """Return the analyser that folds case and accents (and splits Chinese into bigrams)."""
    return FoldingTokenizer() | BigramFilter()


def analyse(language: str, text: str) -> list[str]:
    """Return the terms `language`'s analyser makes of `text` (stop words dropped)."""
    return [t.text for t in analyzer_for(language)(text)]


@lru_cache(maxsize=None)
def analyzer_for(language: str):
    """Return the shared analyser instance for `language`."""
    return language_analyzer(language)


def field_language(language: str | None) -> str:
    """Return the analysed language to use for text in `language`."""
    return language if language in ANALYSED_LANGUAGES else GENERIC

