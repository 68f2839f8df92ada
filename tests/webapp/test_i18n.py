"""The interface in six languages: chosen by URL or browser, right to left for Arabic."""

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from tests.conftest import REPOSITORY
from webapp.i18n import LANGUAGES

TRANSLATIONS = REPOSITORY / "webapp" / "translations"


def soup_of(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser")


@pytest.mark.parametrize("lang, direction, search_label, legend", [
    ("en", "ltr", "Search the catalogue", "Theme"),
    ("fr", "ltr", "Rechercher dans le catalogue", "Thème"),
    ("es", "ltr", "Buscar en el catálogo", "Tema"),
    ("ar", "rtl", "ابحث في الفهرس", "الموضوع"),
    ("ru", "ltr", "Поиск по каталогу", "Тема"),
    ("zh", "ltr", "搜索目录", "主题"),
])
def test_the_page_speaks_the_chosen_language(client, lang, direction, search_label, legend):
    soup = soup_of(client, f"/?lang={lang}")
    assert (soup.html["lang"], soup.html["dir"]) == (lang, direction)
    assert soup.find("label", attrs={"for": "q"}).get_text() == search_label
    assert soup.select_one("aside legend").get_text() == legend


def test_the_browser_language_is_used_when_the_url_says_nothing(client):
    soup = soup_of(client, "/?q=eau", **{"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert soup.html["lang"] == "es"
    assert "productos" in soup.find(id="count").get_text()


def test_vocabulary_labels_follow_the_interface_language(client):
    soup = soup_of(client, "/?lang=fr&theme=gender-equality")
    assert "Égalité des sexes" in soup.select_one(".chips").get_text()


def test_links_keep_the_chosen_language(client):
    soup = soup_of(client, "/?q=rights&lang=ar")
    assert "lang=ar" in soup.select_one("nav.pages a[rel=next]")["href"]
    assert all("lang=ar" in a["href"] for a in soup.select("fieldset a.facet-value")[:5])


def test_the_switcher_offers_every_language_for_the_same_search(client):
    soup = soup_of(client, "/?q=water&agency=ohchr")
    links = {a["hreflang"]: a["href"] for a in soup.select("nav.languages a")}
    assert set(links) == set(LANGUAGES)
    assert links["fr"] == "/?q=water&agency=ohchr&lang=fr"


ARABIC_FORMS = {"zero": "منتج", "one": "منتج واحد", "two": "منتجان", "few": "منتجات",
                "many": "منتجاً", "other": "منتج"}
RUSSIAN_FORMS = {"one": "материал ", "few": "материала", "many": "материалов", "other": "материалов"}


@pytest.mark.parametrize("q", ["eau", "rights", "UPR"])
def test_plural_forms_follow_each_language(client, q):
    from babel import Locale

    total = client.get("/api/v1/search", query_string={"q": q}).get_json()["total"]
    arabic = soup_of(client, f"/?q={q}&lang=ar").find(id="count").get_text()
    assert ARABIC_FORMS[Locale("ar").plural_form(total)] in arabic
    russian = soup_of(client, f"/?q={q}&lang=ru").find(id="count").get_text()
    assert RUSSIAN_FORMS[Locale("ru").plural_form(total)] in russian


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_every_message_is_translated(lang):
    template = read_po((TRANSLATIONS / "messages.pot").open("rb"))
    catalog = read_po((TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb"))
    wanted = {m.id for m in template if m.id}
    translated = {m.id for m in catalog if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])}
    assert wanted - translated == set()
    assert not any(m.fuzzy for m in catalog if m.id)
