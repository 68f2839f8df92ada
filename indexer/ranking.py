"""Ranking pieces: a best-of-alternatives query.

A word is searched in many fields and languages at once. Summing those matches (Or)
would let a common word found in ten fields outweigh a rare, specific word found once;
`BestOf` scores a product by its best alternative plus a small share of the others
(what search engines call a dis-max with tie-breaker).
"""

from __future__ import annotations

from whoosh.matching.binary import UnionMatcher
from whoosh.query import DisjunctionMax

TIEBREAK = 0.2


class BestOfMatcher(UnionMatcher):
    """Union of two matchers scored as the best plus TIEBREAK times the other.

    Whoosh's own DisjunctionMaxMatcher compares the two sides' scores even when they sit
    on different documents; this one only combines scores of the same document. Quality
    bounds stay the union's (a sum), which is safe: they never exceed the real best.
    """

    def score(self):
        a, b = self.a, self.b
        if not a.is_active():
            return b.score()
        if not b.is_active():
            return a.score()
        id_a, id_b = a.id(), b.id()
        if id_a < id_b:
            return a.score()
        if id_b < id_a:
            return b.score()
        high, low = sorted((a.score(), b.score()), reverse=True)
        return high + TIEBREAK * low


class BestOf(DisjunctionMax):
    """Match any subquery; score with BestOfMatcher."""

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        return self._tree_matcher(subs, BestOfMatcher, searcher, context,
                                  lambda q: q.estimate_size(reader))
