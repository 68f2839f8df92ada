"""The link checker: visit every product and language-version URL politely and record
what answered (`catalogue.link_checks`), so curators and the product page see broken
links with the archived copy to offer instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from catalogue.importers.errors import FetchError, HTTPStatusError, RobotsDisallowedError
from catalogue.importers.fetch import Fetcher
from catalogue.link_checks import archived_copy, record_check
from catalogue.model import Status
from catalogue.store import Store

CHECKED = (Status.PUBLISHED, Status.PENDING_REVIEW)


@dataclass
class LinkReport:
    """What one run of the link checker found."""

    ok: int = 0
    broken: list[dict] = field(default_factory=list)   # url, product, reason, archived
    not_checked: list[dict] = field(default_factory=list)  # robots.txt said no

    def summary(self) -> str:
        return (f"{self.ok} links work, {len(self.broken)} broken, "
                f"{len(self.not_checked)} not checked (robots.txt)")

    def as_dict(self) -> dict:
        return {"ok": self.ok, "broken": self.broken, "not_checked": self.not_checked}


def urls_to_check(store: Store) -> dict[str, list[str]]:
    """Return {url: [product ids]} for every product and language-version URL."""
    found: dict[str, list[str]] = {}
    for status in CHECKED:
        for product in store.iter_products(status=status):
            urls = [product.url] + [v.url for v in product.versions]
            for url in filter(None, urls):
                found.setdefault(url, []).append(product.id)
    return found


def check_links(store: Store, fetcher: Fetcher, urls: dict[str, list[str]] | None = None,
                progress: Callable[[str], None] = lambda url: None) -> LinkReport:
    """Visit each URL (redirects followed, body not read) and record what it answered."""
    report = LinkReport()
    for url, products in (urls if urls is not None else urls_to_check(store)).items():
        progress(url)
        try:
            response = fetcher.probe(url)
        except RobotsDisallowedError as exc:
            report.not_checked.append({"url": url, "products": products, "reason": str(exc)})
            continue
        except FetchError as exc:
            status = exc.status if isinstance(exc, HTTPStatusError) else None
            check = record_check(store, url, ok=False, status_code=status, error=str(exc)[:1000])
            report.broken.append({"url": url, "products": products, "reason": str(exc),
                                  "archived": archived_copy(url, check.last_ok_at)})
            continue
        record_check(store, url, ok=True, status_code=response.status,
                     final_url=response.final_url if response.final_url != url else None)
        report.ok += 1
    return report
