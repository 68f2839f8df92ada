"""Errors of the search layer. The web layer maps them to HTTP statuses."""

from __future__ import annotations


class IndexerError(Exception):
    """Base class for every error the indexer raises."""


class IndexUnavailableError(IndexerError):
    """There is no usable index yet (never built, missing, or damaged); rebuild it."""


class QueryError(IndexerError):
    """The search request cannot be answered as asked (bad filter, page too deep...)."""
