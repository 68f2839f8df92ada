"""The README documents every setting and shows the two commands."""

import pytest

from tests.conftest import REPOSITORY
from webapp.settings import SETTINGS, TEST_SETTINGS

README = (REPOSITORY / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS + TEST_SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme(setting):
    assert f"`{setting.name}`" in README


def test_every_hrba_variable_the_code_reads_is_registered():
    import re

    registered = {s.name for s in SETTINGS + TEST_SETTINGS}
    used = set()
    for folder in ("catalogue", "indexer", "webapp", "tests"):
        for path in (REPOSITORY / folder).rglob("*.py"):
            used |= set(re.findall(r"\bHRBA_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    for path in [REPOSITORY / "Makefile", *(REPOSITORY / ".ci").iterdir()]:
        used |= set(re.findall(r"\bHRBA_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    assert used - registered == set()


def test_the_quick_start_is_the_two_commands():
    assert "make run" in README and "make test" in README
