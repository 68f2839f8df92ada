"""The nearness bonus: products whose title has the query's words close together rank higher.

"Human Rights Indicators" matches "indicators of human rights" better than a title where
the three words lie far apart. Checked on the best-scoring candidates only.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from indexer.analysis import WORD, fold, stemmer

CANDIDATES = 200
SLACK = 2  # extra words allowed inside the window
TITLE_BONUS = 1.25


@lru_cache(maxsize=20_000)
def _title_terms(title: str, language: str) -> tuple[str, ...]:
    """Return the stemmed words of `title`, once per title (the candidates repeat)."""
    stem = stemmer(language)
    return tuple(stem(match.group()) for match in WORD.finditer(fold(title)))


def near(words: list[str], title: str, language: str = "en") -> bool:
    """Tell whether every one of `words` occurs in `title` within a short window."""
    stem = stemmer(language)
    wanted = {stem(w) for w in words}
    last: dict[str, int] = {}
    limit = len(wanted) + SLACK
    for position, term in enumerate(_title_terms(title, language)):
        if term in wanted:
            last[term] = position
            if len(last) == len(wanted) and position - min(last.values()) < limit:
                return True
    return False


def apply(scores: np.ndarray, matches: np.ndarray, words: list[str], titles: np.ndarray) -> None:
    """Raise, in place, the scores of the best candidates whose titles hold `words` close."""
    if len(words) < 2:
        return
    candidates = np.flatnonzero(matches)
    if candidates.size > CANDIDATES:
        candidates = candidates[np.argpartition(-scores[candidates], CANDIDATES - 1)[:CANDIDATES]]
    for docnum in candidates:
        if near(words, titles[docnum]):
            scores[docnum] *= TITLE_BONUS
