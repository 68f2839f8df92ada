"""Errors of fetching and importing. A crawl records them per page and carries on."""

from __future__ import annotations

from catalogue.errors import CatalogueError


class ImporterError(CatalogueError):
    """Base class for every error of the crawler and the importers."""


class FetchError(ImporterError):
    """A URL could not be fetched; the message says why, in plain words."""


class BlockedAddressError(FetchError):
    """The URL leads to a loopback, private, link-local or other non-public address."""


class RobotsDisallowedError(FetchError):
    """The site's robots.txt does not let us fetch this URL."""


class TooLargeError(FetchError):
    """The response is bigger than the size cap (before or after decompression)."""


class DeadlineError(FetchError):
    """The response took longer than the total deadline (a slow drip, a stalled server)."""


class ContentTypeError(FetchError):
    """The response is of a type we did not ask for."""


class RedirectError(FetchError):
    """Too many redirects, a redirect loop, or a redirect to a non-HTTP address."""


class HTTPStatusError(FetchError):
    """The server answered with an error status (after any retries)."""

    def __init__(self, message: str, status: int):
        self.status = status
        super().__init__(message)


class ParseError(ImporterError):
    """A page or file could not be read (malformed PDF, undecodable page)."""


class SourceError(ImporterError):
    """A source file is missing or malformed."""


class HarvestError(ImporterError):
    """An OAI-PMH repository answered with a protocol error, or with something else than OAI-PMH."""


class DropRecord(Exception):
    """A signal, not an error: the pipeline drops this record, for `reason`."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)
