"""The nearness bonus: products whose title has the query's words close together rank higher.

"Human Rights Indicators" matches "indicators of human rights" better than a title where
the three words lie far apart. Checked on the best-scoring candidates only.
"""

from __future__ import annotations

import numpy as np

from indexer.analysis import WORD, fold, stemmer

CANDIDATES = 200
SLACK = 2  # extra words allowed inside the window
TITLE_BONUS = 1.25


def near(words: list[str], title: str, language: str = "en") -> bool:
    """Tell whether every one of `words` occurs in `title` within a short window."""
    stem = stemmer(language)
    wanted = {stem(w) for w in words}
    last: dict[str, int] = {}
    limit = len(wanted) + SLACK
    for position, match in enumerate(WORD.finditer(fold(title))):
        term = stem(match.group())
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
