"""The search page at / : products with their tags, facets, chips, pages, JSON twin."""

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser")


def test_the_page_lists_products_with_their_tags(client):
    soup = soup_of(client, "/")
    assert "472 products" in soup.find(id="count").get_text()
    hits = soup.select("li.hit")
    assert len(hits) == 20
    assert all(hit.select_one("h2").get_text(strip=True) for hit in hits)
    assert any(hit.select(".themes li") for hit in hits)
    assert any(hit.select(".agency") for hit in hits)


def test_facet_links_toggle_a_value_and_chips_remove_it(client):
    soup = soup_of(client, "/?q=gender")
    link = next(a for a in soup.select("fieldset a.facet-value") if "agency=unicef" in a["href"])
    narrowed = soup_of(client, "/" + link["href"])
    assert narrowed.select_one("a.facet-value.selected[aria-current]")
    chip = narrowed.select_one(".chips a")
    assert "UNICEF" in chip.get_text()
    params = parse_qs(urlsplit(chip["href"]).query)
    assert params == {"q": ["gender"]}


def test_facets_are_fieldsets_with_legends(client):
    legends = [l.get_text(strip=True) for l in soup_of(client, "/").select("aside fieldset > legend")]
    assert {"Theme", "Agency", "Type", "Language"} <= set(legends)


def test_the_page_links_its_json_twin(client):
    link = soup_of(client, "/?q=water&agency=ohchr").find("link", rel="alternate")
    assert link["type"] == "application/json"
    twin = client.get(link["href"]).get_json()
    assert twin["total"] >= 1 and all("ohchr" in r["agencies"] for r in twin["results"])


def test_pagination_links_keep_the_search(client):
    soup = soup_of(client, "/?q=rights&agency=undp")
    next_link = soup.select_one("nav.pages a[rel=next]")
    assert parse_qs(urlsplit(next_link["href"]).query) == {"q": ["rights"], "agency": ["undp"],
                                                           "page": ["2"]}


def test_bad_parameters_get_an_html_400_page(client):
    response = client.get("/?page=-1")
    assert response.status_code == 400 and b"page must be 1 or more" in response.data


def test_security_headers_are_sent(client):
    headers = client.get("/").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_snippets_mark_matches_and_did_you_mean_links_the_correction(client):
    soup = soup_of(client, "/?q=rigth+to+helth")
    suggestion = soup.select_one(".suggestion a")
    assert suggestion.get_text() == "right to health"
    assert parse_qs(urlsplit(suggestion["href"]).query) == {"q": ["right to health"]}
    assert soup.select(".hit .summary mark")


def test_the_publisher_facet_is_a_yes_no_choice(client):
    soup = soup_of(client, "/")
    link = next(a for a in soup.select("fieldset a.facet-value") if "un_system=true" in a["href"])
    narrowed = soup_of(client, "/" + link["href"])
    total = int(narrowed.find(id="count").get_text().split()[0])
    assert 0 < total < 472


def test_the_home_page_explains_hrba_and_offers_ways_in(client):
    soup = soup_of(client, "/")
    assert "human rights-based approach" in soup.select_one(".intro").get_text()
    core = [a["href"] for a in soup.select(".intro a")]
    assert "/products/the-un-common-learning-package-on-hrba" in core
    browse = soup.select(".browse .browse-list a")
    assert any("theme=gender-equality" in a["href"] for a in browse)
    assert any("stage=" in a["href"] for a in browse) and any("agency=ohchr" in a["href"] for a in browse)
    assert len(soup.select(".newest li")) == 5


def test_a_search_is_not_the_home_page(client):
    soup = soup_of(client, "/?q=water")
    assert soup.select_one(".intro") is None and soup.select_one(".newest") is None


def test_zero_results_page_helps(client):
    soup = soup_of(client, "/?q=zzqxw+vvkrp&agency=ohchr")
    help_block = soup.select_one(".no-results")
    assert "Remove a filter" in help_block.get_text()
    assert len(help_block.select(".browse-list a")) == 29  # every theme
    assert soup.select_one(".chips a")  # the filter can be removed


def test_year_range_form_narrows_and_keeps_the_search(client):
    soup = soup_of(client, "/?q=rights&agency=undp")
    form = soup.select_one("form.years")
    hidden = {(i["name"], i["value"]) for i in form.select("input[type=hidden]")}
    assert hidden == {("q", "rights"), ("agency", "undp")}
    narrowed = soup_of(client, "/?q=rights&agency=undp&year_from=2010&year_to=2012")
    assert narrowed.select_one("#year_from")["value"] == "2010"
    body = client.get("/api/v1/search?q=rights&agency=undp&year_from=2010&year_to=2012&per_page=100").get_json()
    assert all(2010 <= r["year"] <= 2012 for r in body["results"])


def test_long_facet_lists_fold_the_rest_behind_show_more(client):
    soup = soup_of(client, "/")
    fieldset = next(f for f in soup.select("aside fieldset") if f.legend.get_text() == "Agency")
    assert len(fieldset.select(":scope > ul > li")) == 8
    assert fieldset.select_one("details summary").get_text().startswith("Show ")


def test_language_badges_link_the_language_versions(client):
    soup = soup_of(client, "/?q=Frequently+Asked+Questions+Human+Rights-Based+Approach+Development+Cooperation")
    hit = next(h for h in soup.select("li.hit") if h.h2.get_text().startswith("Frequently Asked Questions on a"))
    badges = {b.get_text(): b for b in hit.select(".meta .lang")}
    assert badges["es"].name == "a" and badges["es"]["hreflang"] == "es"
    assert badges["en"].name == "span"  # the product itself: its page and main link
