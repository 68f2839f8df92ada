"""The portal in a real browser: search, facets, chips, pages, product, languages, keyboard, axe."""

import json
import re
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def api_total(base: str, page_url: str) -> int:
    query = urlsplit(page_url).query
    with urllib.request.urlopen(f"{base}/api/v1/search?{query}") as response:
        return json.load(response)["total"]


def count(page) -> int:
    return int(re.match(r"\d+", page.inner_text("#count")).group())


def facet_link(page, legend: str, value: str):
    return page.locator("aside fieldset", has=page.locator("legend", has_text=legend)) \
        .locator(f"a.facet-value[href*='{value}']").first


def test_search_tick_facets_remove_a_chip_and_paginate(page, live_server):
    page.goto("/")
    page.fill("#q", "rights")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=rights"))
    everything = count(page)
    facet_link(page, "Agency", "agency=undp").click()
    facet_link(page, "Agency", "agency=unicef").click()  # same facet: OR
    facet_link(page, "Theme", "theme=participation").click()  # another facet: AND
    params = parse_qs(urlsplit(page.url).query)
    assert params["agency"] == ["undp", "unicef"] and params["theme"] == ["participation"]
    narrowed = count(page)
    assert 0 < narrowed < everything
    assert narrowed == api_total(live_server, page.url)
    undp = facet_link(page, "Agency", "agency=undp").inner_text()
    assert "(" in undp  # the ticked value keeps its count
    assert page.locator(".chips a").count() == 4  # three chips and "clear all"
    page.locator(".chips a", has_text="UNICEF").click()
    assert parse_qs(urlsplit(page.url).query)["agency"] == ["undp"]
    assert count(page) == api_total(live_server, page.url)
    page.goto("/?q=rights")
    first_page = page.locator("li.hit h2").all_inner_texts()
    page.click("nav.pages a[rel=next]")
    assert parse_qs(urlsplit(page.url).query)["page"] == ["2"]
    assert not set(first_page) & set(page.locator("li.hit h2").all_inner_texts())


def test_open_a_product_from_the_results(page):
    page.goto("/?q=common+learning+package")
    title = page.locator("li.hit h2 a").first.inner_text()
    page.locator("li.hit h2 a").first.click()
    assert page.inner_text("h1") == title
    assert page.locator("script[type='application/ld+json']").count() == 1


def test_switch_to_french_then_arabic(page):
    page.goto("/?q=water")
    page.click("nav.languages a[hreflang=fr]")
    assert page.get_attribute("html", "lang") == "fr"
    assert page.inner_text("label[for=q]") == "Rechercher dans le catalogue"
    assert "q=water" in page.url
    page.click("nav.languages a[hreflang=ar]")
    assert (page.get_attribute("html", "lang"), page.get_attribute("html", "dir")) == ("ar", "rtl")
    box = page.locator("#q").bounding_box()
    label = page.locator("label[for=q]").bounding_box()
    assert label["x"] + label["width"] > box["x"] + box["width"] - 5  # laid out right to left
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways shift


def test_keyboard_only_search(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))
    page.focus("#q")
    page.keyboard.type("gender equality")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=gender"))
    for _ in range(60):  # tab until a facet value has focus, then follow it
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('facet-value')"):
            break
    else:
        pytest.fail("no facet value reachable with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".chips a").count() >= 2


@pytest.mark.parametrize("path", ["/", "/?q=water&agency=ohchr", "/products/the-un-common-learning-package-on-hrba",
                                  "/?q=zzqxw+vvkrp", "/?lang=ar&q=rights", "/curate/login"])
def test_no_serious_accessibility_violations(page, path):
    page.goto(path)
    assert axe_violations(page) == []


def test_the_accessibility_check_does_find_violations(page):
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    found = {v["id"] for v in axe_violations(page)}
    assert "image-alt" in found  # the check cannot pass vacuously


def test_suggestions_appear_as_you_type(page):
    page.goto("/")
    page.type("#q", "gend", delay=50)
    page.locator("#q-suggestions option").first.wait_for(state="attached")  # CSP forbids eval
    values = page.eval_on_selector_all("#q-suggestions option", "options => options.map(o => o.value)")
    assert "Gender equality" in values


def test_sorting_from_the_page(page):
    page.goto("/?q=rights")
    page.select_option("#sort", "oldest")
    with page.expect_navigation():
        page.click("form.sort button")
    years = [int(t) for t in re.findall(r"· (\d{4})", " ".join(page.locator("li.hit .meta").all_inner_texts()))]
    assert years == sorted(years)


def test_on_a_phone_a_link_leads_past_the_facets_to_the_results(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 760})
    phone = context.new_page()
    phone.goto("/?q=gender")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.click(".to-results a")
    phone.wait_for_url(re.compile(r"#count$"))
    assert phone.locator("#count").is_visible()
    context.close()
