"""Light pages for field-office connections: compressed, and well under 100 kB a results page."""

import gzip


def test_pages_travel_compressed_and_decompress_to_the_same_page(client):
    plain = client.get("/?q=rights").data
    packed = client.get("/?q=rights", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain


def test_a_results_page_with_its_css_and_js_transfers_under_100_kb(client):
    total = 0
    for url in ("/?q=rights&per_page=20", "/static/style.css", "/static/suggest.js"):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        total += len(response.data)
    assert total < 100_000, total
