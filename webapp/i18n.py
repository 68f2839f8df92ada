"""The interface language: from the URL (`?lang=fr`), else the browser's Accept-Language.

English, French, Spanish, Arabic (right to left), Russian and Chinese, with message
catalogues under `webapp/translations/` compiled at install (`pybabel compile`).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from babel import Locale
from flask import Flask, g, request
from flask_babel import Babel, format_date, get_locale, get_translations

LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
NATIVE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية",
                "ru": "Русский", "zh": "中文"}


def select_language() -> str:
    """Return the interface language of the current request."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or "en"


def current_language() -> str:
    """Return the interface language in force (a code of LANGUAGES), found once per request."""
    found = g.get("_hrba_language")
    if found is None:
        found = g._hrba_language = str(get_locale() or "en").split("_")[0]
    return found


def _other_arguments() -> str:
    """Return this request's query string without `lang`, encoded once per request."""
    return urlencode([(k, v) for k, values in request.args.lists() if k != "lang" for v in values])


def _with_language(arguments: str, code: str) -> str:
    return f"{arguments}&lang={code}" if arguments else f"lang={code}"


def language_links() -> list[tuple[str, str, str]]:
    """Return (code, name, URL of this page in that language) for the switcher."""
    arguments = _other_arguments()
    return [(code, NATIVE_NAMES[code], request.path + "?" + _with_language(arguments, code))
            for code in LANGUAGES]


def language_alternates() -> list[tuple[str, str]]:
    """Return (hreflang, absolute URL) of every language version of this page, "x-default"
    first (the address without `lang`, which follows the browser's language)."""
    base = request.root_url.rstrip("/") + request.path
    arguments = _other_arguments()
    plain = base + ("?" + arguments if arguments else "")
    return [("x-default", plain)] + [(code, base + "?" + _with_language(arguments, code))
                                     for code in LANGUAGES]


@lru_cache(maxsize=None)
def text_direction(language: str) -> str:
    """Return "ltr" or "rtl" for an interface language (Babel's locale data, read once)."""
    return Locale.parse(language).text_direction


def _translations():
    """Return the message catalogue of this request's language, looked up once per request
    (a results page asks for thirty messages; Flask-Babel finds the catalogue afresh each time).
    Nothing here changes the language within a request (no `force_locale`)."""
    found = g.get("_hrba_translations")
    if found is None:
        found = g._hrba_translations = get_translations()
    return found


def init_app(app: Flask) -> None:
    """Install Flask-Babel and the template variables every page needs."""
    Babel(app, locale_selector=select_language)
    app.jinja_env.install_gettext_callables(
        lambda message: _translations().ugettext(message),
        lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, message: _translations().upgettext(context, message),
        npgettext=lambda context, singular, plural, n: _translations().unpgettext(context, singular, plural, n))

    @app.context_processor
    def _language_context():
        language = current_language()
        return {"ui_lang": language,
                "text_direction": text_direction(language),
                "language_links": language_links(),
                "language_alternates": language_alternates(),
                "format_date": format_date}
