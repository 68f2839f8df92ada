"""Analysis per language: folding everywhere, stemming and stop words where they exist."""

import pytest

from indexer.analysis import analyse, fold
from indexer.language import detect


@pytest.mark.parametrize("language, a, b", [
    ("fr", "droits de l'homme", "Droits de l'Homme"),
    ("fr", "Développement", "developpement"),
    ("es", "educación", "educacion"),
    ("es", "Derechos Humanos", "derechos humanos"),
    ("en", "programming", "programmed"),
    ("en", "programme", "programmes"),
    ("en", "Organizations", "organization"),
    ("ru", "права человека", "право человека"),
    ("pt", "Direitos Humanos", "direito humano"),
    ("ar", "الإنسان", "الانسان"),            # alef variants unified
    ("ar", "حُقُوق", "حقوق"),                  # diacritics dropped
    ("xx", "Menschenrechte", "MENSCHENRECHTE"),
])
def test_forms_that_should_match_analyse_alike(language, a, b):
    assert analyse(language, a) == analyse(language, b) != []


@pytest.mark.parametrize("language, text, dropped", [
    ("en", "the rights of the child", "the"),
    ("fr", "droits de l'enfant", "l"),
    ("es", "derechos de la mujer", "la"),
    ("ar", "حقوق في التنمية", "في"),
])
def test_stop_words_are_dropped(language, text, dropped):
    assert fold(dropped) not in analyse(language, text)


def test_chinese_is_indexed_as_overlapping_bigrams():
    assert analyse("zh", "人权方法") == ["人权", "权方", "方法"]
    assert analyse("zh", "人") == ["人"]
    assert "人权" in analyse("xx", "基于人权的方法")


def test_folding_keeps_every_script():
    assert fold("Ğ Ñ Ü ß") == "g n u ss"
    assert fold("Права") == "права"
    assert fold("ـحـقـوق") == "حقوق"  # tatweel gone


@pytest.mark.parametrize("text, candidates, expected", [
    ("protection sociale fondée sur les droits", None, "fr"),
    ("justicia transicional comisiones de la verdad", None, "es"),
    ("Human rights guide for country teams", ("en", "fr"), "en"),
    ("права человека", None, "ru"),
    ("A/HRC/55/48", None, None),
    ("Guía práctica", ("es",), "es"),
])
def test_language_detection_is_gated_and_restricted(text, candidates, expected):
    assert (detect(text, candidates) if candidates else detect(text)) == expected


def test_stemming_from_many_threads_gives_the_same_stems_as_one_thread():
    """Snowball stemmer objects keep the word being stemmed in themselves: shared by the
    server's threads without a lock, two searches stemming at once corrupt each other's
    words (an IndexError, or a wrong stem kept in the cache for good)."""
    import random
    import sys
    import threading

    import snowballstemmer

    from indexer import analysis

    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyzéèàçñ"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(6, 14))) + suffix
             for suffix in ("ation", "ements", "ing", "idades", "ness", "iques") for _ in range(600)]
    expected = {lang: [snowballstemmer.stemmer(name).stemWord(w) for w in words]
                for lang, name in (("en", "english"), ("fr", "french"), ("es", "spanish"))}
    got, failures = {}, []

    def work(lang: str, part: int) -> None:
        stem = analysis.stemmer(lang)
        try:
            got[(lang, part)] = [stem(w) for w in words[part::4]]
        except Exception as exc:  # noqa: BLE001 - the failure is what this test looks for
            failures.append(exc)

    analysis.stemmer.cache_clear()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show at once
    try:
        threads = [threading.Thread(target=work, args=(lang, part))
                   for lang in expected for part in range(4) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
        analysis.stemmer.cache_clear()
    assert not failures
    for (lang, part), stems in got.items():
        assert stems == expected[lang][part::4]
