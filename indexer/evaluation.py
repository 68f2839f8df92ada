"""Evaluate a parsed query: per-document scores, how many clauses each product matches,
and which products count as results."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from indexer.query import ParsedQuery
from indexer.vectors import VectorScorer

COORDINATION = 0.5  # share of the score that depends on how many clauses match


@dataclass
class Evaluation:
    """A query's scores and matches over every document."""

    scores: np.ndarray
    clause_counts: np.ndarray  # how many clauses each document matches
    clauses: int  # how many clauses were evaluated
    allowed: np.ndarray  # matches every requirement, none of the exclusions, not deleted
    timed_out: bool = False

    def matching(self, minimum: int) -> np.ndarray:
        """Return the documents matching at least `minimum` clauses (and the requirements)."""
        if self.clauses == 0:
            return self.allowed
        return self.allowed & (self.clause_counts >= minimum)

    def results(self, wanted: int, minimum: int) -> tuple[np.ndarray, int]:
        """Return the matches, relaxing the clause minimum while fewer than `wanted` match."""
        matches = self.matching(minimum)
        while minimum > 1 and np.count_nonzero(matches) < wanted:
            minimum -= 1  # too few products match enough of the words: accept fewer
            matches = self.matching(minimum)
        return matches, minimum


def evaluate(parsed: ParsedQuery, scorer: VectorScorer, time_limit: float) -> Evaluation:
    """Score `parsed` over all documents, stopping early (and saying so) past `time_limit`."""
    deadline = time.perf_counter() + time_limit
    size = scorer.size
    allowed = scorer.live.copy()
    if parsed.is_everything:
        return Evaluation(np.ones(size, np.float32), np.zeros(size, np.int16), 0, allowed)
    if parsed.words and not parsed.clauses:
        allowed[:] = False  # only words the catalogue has never seen: nothing matches
    scores = np.zeros(size, np.float32)
    counts = np.zeros(size, np.int16)
    evaluated, timed_out = 0, False
    for clause in parsed.clauses:
        if evaluated and time.perf_counter() > deadline:  # the first clause always counts
            timed_out = True
            break
        clause_scores, matches = scorer.evaluate(clause)
        scores += clause_scores
        counts += matches
        evaluated += 1
    for query in parsed.required:
        required_scores, matches = scorer.evaluate(query)
        scores += required_scores
        allowed &= matches
    for query in parsed.excluded:
        allowed &= ~scorer.evaluate(query)[1]
    if evaluated:
        scores *= (1 - COORDINATION) + COORDINATION * counts / evaluated
    return Evaluation(scores, counts, evaluated, allowed, timed_out)
