"""Store.published_stamps: the light listing sitemaps page through (on SQLite and PostgreSQL)."""

from catalogue.model import Status
from tests.conftest import make_product


def test_published_products_come_in_id_order_with_their_last_change(store):
    with store.write() as writer:
        for product_id, status in [("c", Status.PUBLISHED), ("a", Status.PUBLISHED), ("d", Status.DRAFT),
                                   ("b", Status.WITHDRAWN), ("e", Status.PUBLISHED)]:
            writer.add(make_product(id=product_id, status=status))
    stamps = store.published_stamps()
    assert [product_id for product_id, _ in stamps] == ["a", "c", "e"]
    assert all(changed == store.get(product_id).provenance.last_changed for product_id, changed in stamps)
    assert all(changed.tzinfo is not None for _, changed in stamps)


def test_an_offset_and_a_limit_page_through_them(store):
    with store.write() as writer:
        for number in range(7):
            writer.add(make_product(id=f"p{number}"))
    pages = [store.published_stamps(offset=start, limit=3) for start in (0, 3, 6, 9)]
    assert [[product_id for product_id, _ in page] for page in pages] == [
        ["p0", "p1", "p2"], ["p3", "p4", "p5"], ["p6"], []]
