"""The crawler: walk a source's pages, read products, take them through the pipeline.

State lives in the database (`crawl_urls`, `import_runs`), and each page is finished in
one transaction: its product stored, its links queued, itself marked done. So a crawl
killed at any moment resumes from its queue with nothing lost and nothing twice. A round
ends when the queue is empty; the next round asks again with ETag and Last-Modified,
and a page that answers 304 still leads on through the links it had.

Crawler traps are bounded three ways: link rules (a source follows only the links it
names), a depth limit, and at most `MAX_QUERIES_PER_PATH` query strings per path (a
calendar's endless "next month").
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from sqlalchemy import func, select

from catalogue.importers.errors import FetchError, ParseError, RobotsDisallowedError
from catalogue.importers.fetch import PAGE_TYPES, PDF_TYPES, Fetcher, Response
from catalogue.importers.html import decode_html, page_metadata
from catalogue.importers.pdf import PdfInfo, read_pdf
from catalogue.importers.pipeline import Candidate, Pipeline, Suggest
from catalogue.importers.records import describes_a_work, page_record, pdf_record
from catalogue.importers.report import ImportReport
from catalogue.importers.sources import Source
from catalogue.importers.urls import canonical_url
from catalogue.store import Store, Writer, utcnow
from catalogue.tables import CrawlUrlRow, ImportRunRow
from catalogue.vocabularies import Vocabularies

MAX_QUERIES_PER_PATH = 25


@dataclass
class CrawlResult:
    """What one `hrba crawl` did: the products' report and the pages' fates."""

    source: str
    run_id: int
    report: ImportReport
    fetched: int = 0
    not_modified: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # robots.txt, limits
    finished: bool = False

    def summary(self) -> str:
        counts = self.report.counts
        products = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        state = "round finished" if self.finished else "paused (run again to resume)"
        return (f"{products}; {self.fetched} pages fetched ({self.not_modified} not modified), "
                f"{len(self.failures)} failed, {len(self.skipped)} skipped; {state}")

    def as_dict(self) -> dict:
        return {"source": self.source, "run": self.run_id, "finished": self.finished,
                "pages": {"fetched": self.fetched, "not_modified": self.not_modified},
                "failures": [{"url": u, "reason": r} for u, r in self.failures],
                "skipped": [{"url": u, "reason": r} for u, r in self.skipped],
                **self.report.as_dict()}


@dataclass
class Crawler:
    """Crawl one source into a store."""

    store: Store
    vocabularies: Vocabularies
    source: Source
    fetcher: Fetcher
    limit: int | None = None                       # pages to fetch in this invocation
    suggest: Suggest | None = None
    progress: Callable[[str], None] = lambda url: None
    pdf_reader: Callable[[bytes], PdfInfo] = read_pdf

    def __post_init__(self):
        self.pipeline = Pipeline(self.vocabularies, source=self.source.name,
                                 importer=f"crawl:{self.source.name}",
                                 trusted=self.source.trusted, suggest=self.suggest)

    # ---------------------------------------------------------------- the loop

    def run(self) -> CrawlResult:
        """Crawl until the round's queue is empty or `limit` pages were fetched."""
        run_id, round_ = self._begin()
        result = CrawlResult(self.source.name, run_id, self.pipeline.report)
        done_before = self._count(round_, done=True)
        while True:
            if self.limit is not None and result.fetched >= self.limit:
                break
            if done_before + result.fetched + len(result.failures) >= self.source.max_pages:
                result.skipped.append((self.source.start_urls[0],
                                       f"page limit of {self.source.max_pages} reached"))
                result.finished = True
                break
            row = self._next(round_)
            if row is None:
                result.finished = True
                break
            self.progress(row.url)
            self._visit(row, round_, result)
        self._end(run_id, result)
        return result

    def _begin(self) -> tuple[int, int]:
        """Resume the source's unfinished run, or start a new round from the start URLs."""
        with self.store.write() as writer:
            session = writer.session
            run = session.scalars(select(ImportRunRow).where(
                ImportRunRow.kind == "crawl", ImportRunRow.source == self.source.name,
                ImportRunRow.state.in_(("running", "paused"))).order_by(ImportRunRow.id.desc())
            ).first()
            if run is not None:
                run.state = "running"
                return run.id, run.round
            round_ = (session.scalar(select(func.max(CrawlUrlRow.round))
                                     .where(CrawlUrlRow.source == self.source.name)) or 0) + 1
            run = ImportRunRow(kind="crawl", source=self.source.name, round=round_,
                               state="running", started_at=utcnow())
            session.add(run)
            for url in self.source.start_urls:
                self._queue(writer, canonical_url(url), "listing", 0, round_)
            session.flush()
            return run.id, round_

    def _end(self, run_id: int, result: CrawlResult) -> None:
        with self.store.write() as writer:
            run = writer.session.get(ImportRunRow, run_id)
            run.state = "finished" if result.finished else "paused"
            run.finished_at = utcnow()
            run.summary = result.summary()
            run.report = result.as_dict()

    def _count(self, round_: int, done: bool) -> int:
        with self.store.read() as session:
            return session.scalar(select(func.count()).select_from(CrawlUrlRow).where(
                CrawlUrlRow.source == self.source.name, CrawlUrlRow.round == round_,
                CrawlUrlRow.state != "queued" if done else CrawlUrlRow.state == "queued"))

    def _next(self, round_: int) -> CrawlUrlRow | None:
        with self.store.read() as session:
            return session.scalars(select(CrawlUrlRow).where(
                CrawlUrlRow.source == self.source.name, CrawlUrlRow.round == round_,
                CrawlUrlRow.state == "queued").order_by(CrawlUrlRow.queued_at).limit(1)).first()

    # ------------------------------------------------------------- one page

    def _visit(self, row: CrawlUrlRow, round_: int, result: CrawlResult) -> None:
        try:
            response = self.fetcher.fetch(row.url, accept=PAGE_TYPES, etag=row.etag,
                                          last_modified=row.last_modified)
        except RobotsDisallowedError as exc:
            result.skipped.append((row.url, str(exc)))
            self._finish(row, "skipped", str(exc))
            return
        except FetchError as exc:
            result.failures.append((row.url, str(exc)))
            self._finish(row, "failed", str(exc))
            return
        result.fetched += 1
        if response.not_modified:
            result.not_modified += 1
            with self.store.write() as writer:
                if row.product_id and row.kind != "listing":
                    self.pipeline.report.record(row.url, 0, "unchanged", product_id=row.product_id)
                self._queue_links(writer, row, row.links or [], round_)
                self._mark(writer, row, "done", None, response)
            return
        try:
            candidate, links = self._read(row, response, result)
        except ParseError as exc:
            result.failures.append((row.url, str(exc)))
            self._finish(row, "failed", str(exc), response)
            return
        with self.store.write() as writer:
            product_id = None
            if candidate is not None:
                outcome = self.pipeline.process(writer, candidate)
                line = self.pipeline.report.lines[-1]
                product_id = line.product_id if outcome != "rejected" else None
            self._queue_links(writer, row, links, round_)
            self._mark(writer, row, "done", None, response, links, product_id)

    def _read(self, row: CrawlUrlRow, response: Response,
              result: CrawlResult) -> tuple[Candidate | None, list[str]]:
        """Return the page's product candidate (if it is one) and the links to follow."""
        final = canonical_url(response.final_url)
        if response.content_type in PDF_TYPES or response.body.startswith(b"%PDF-"):
            if row.kind == "listing":
                return None, []
            info = self.pdf_reader(response.body)
            record = pdf_record(response.final_url, info, self.source, self.vocabularies)
            return Candidate(record, origin=final, where=row.url, canonical_url=final,
                             file_hash=hashlib.sha256(response.body).hexdigest()), []
        html = decode_html(response.body, response.charset)
        meta = page_metadata(html, response.final_url, self.source.fields or None)
        links = [canonical_url(link) for link in meta.links]
        is_product = row.kind == "product" or (row.kind == "page" and describes_a_work(meta, self.source))
        if not is_product:
            return None, links
        canonical = final
        if meta.canonical and urlsplit(meta.canonical).netloc.lower() == urlsplit(final).netloc.lower():
            canonical = canonical_url(meta.canonical)
        pdf, file_hash = None, None
        if meta.pdf_url:
            pdf, file_hash = self._read_file(meta.pdf_url, result)
            links = [link for link in links if link != canonical_url(meta.pdf_url)]
        record = page_record(meta, self.source, self.vocabularies, pdf, canonical)
        return Candidate(record, origin=canonical, where=row.url, canonical_url=canonical,
                         file_hash=file_hash), links

    def _read_file(self, url: str, result: CrawlResult) -> tuple[PdfInfo | None, str | None]:
        """Fetch and read a product's PDF; a failure is reported and leaves the page's data."""
        try:
            response = self.fetcher.fetch(url, accept=PDF_TYPES)
            digest = hashlib.sha256(response.body).hexdigest()
            return self.pdf_reader(response.body), digest
        except (FetchError, ParseError) as exc:
            result.failures.append((url, str(exc)))
            return None, None

    # ------------------------------------------------------------ bookkeeping

    def _queue_links(self, writer: Writer, row: CrawlUrlRow, links: list[str], round_: int) -> None:
        if row.depth + 1 > self.source.max_depth:
            return
        for link in links:
            kind = self.source.kind_of(link)
            if kind is not None:
                self._queue(writer, link, kind, row.depth + 1, round_)

    def _queue(self, writer: Writer, url: str, kind: str, depth: int, round_: int) -> None:
        session = writer.session
        if len(url) > 2048:
            return
        found = session.get(CrawlUrlRow, (self.source.name, url))
        if found is not None and found.round == round_:
            return
        parts = urlsplit(url)
        if parts.query:
            prefix = f"{parts.scheme}://{parts.netloc}{parts.path}?"
            same_path = session.scalar(select(func.count()).select_from(CrawlUrlRow).where(
                CrawlUrlRow.source == self.source.name, CrawlUrlRow.round == round_,
                CrawlUrlRow.url.startswith(prefix, autoescape=True)))
            if same_path >= MAX_QUERIES_PER_PATH:
                return  # a calendar or a faceted listing without end
        order = (session.scalar(select(func.max(CrawlUrlRow.queued_at))
                                .where(CrawlUrlRow.source == self.source.name)) or 0) + 1
        if found is None:
            session.add(CrawlUrlRow(source=self.source.name, url=url, kind=kind, depth=depth,
                                    round=round_, state="queued", queued_at=order))
        else:
            found.kind, found.depth, found.round = kind, depth, round_
            found.state, found.reason, found.queued_at = "queued", None, order
        session.flush()

    def _mark(self, writer: Writer, row: CrawlUrlRow, state: str, reason: str | None,
              response: Response | None, links: list[str] | None = None,
              product_id: str | None = None) -> None:
        stored = writer.session.get(CrawlUrlRow, (row.source, row.url))
        stored.state, stored.reason, stored.fetched_at = state, reason, utcnow()
        if response is not None and response.redirects:
            self._seen_by_redirect(writer, row, canonical_url(response.final_url))
        if response is not None and not response.not_modified:
            stored.etag, stored.last_modified = response.etag, response.last_modified
            stored.links = links if links is not None else stored.links
            if product_id is not None:
                stored.product_id = product_id

    def _seen_by_redirect(self, writer: Writer, row: CrawlUrlRow, final: str) -> None:
        """Mark a redirect's target as done this round, so a direct link to it is not
        fetched again."""
        if final == row.url or len(final) > 2048:
            return
        target = writer.session.get(CrawlUrlRow, (row.source, final))
        if target is None:
            writer.session.add(CrawlUrlRow(source=row.source, url=final, kind=row.kind,
                                           depth=row.depth, round=row.round, state="done",
                                           reason=f"reached by a redirect from {row.url}",
                                           queued_at=row.queued_at))
        elif target.round != row.round or target.state == "queued":
            target.round, target.state = row.round, "done"
            target.reason = f"reached by a redirect from {row.url}"

    def _finish(self, row: CrawlUrlRow, state: str, reason: str,
                response: Response | None = None) -> None:
        with self.store.write() as writer:
            self._mark(writer, row, state, reason[:2000], None)


def page_states(store: Store, source: str) -> Counter:
    """Return how many of a source's URLs are in each state (queued, done, failed...)."""
    with store.read() as session:
        return Counter(dict(session.execute(select(CrawlUrlRow.state, func.count())
                                            .where(CrawlUrlRow.source == source)
                                            .group_by(CrawlUrlRow.state)).all()))
