"""The shape of the system, as a test (STYLE.md, "The shape of the system").

Every module under ``catalogue/``, ``indexer/`` and ``webapp/`` is parsed with ``ast``
(never imported) and each import it makes, including imports nested in functions, is
checked against the table below. To allow a new edge or a new third-party library,
edit the table; the tests read nothing else.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest


class Allowed(NamedTuple):
    project: frozenset[str]      # project packages this package may import
    third_party: frozenset[str]  # top-level names of non-stdlib modules it may import


# The database layer: the catalogue's only third-party dependencies.
_CATALOGUE_LIBS = {"sqlalchemy", "alembic", "slugify"}

# package                 project packages it may import / third-party top-level modules
RULES: dict[str, Allowed] = {
    "catalogue": Allowed(
        project=frozenset({"catalogue"}),
        third_party=frozenset(_CATALOGUE_LIBS),
    ),
    "catalogue.importers": Allowed(
        project=frozenset({"catalogue", "catalogue.importers"}),
        third_party=frozenset(_CATALOGUE_LIBS | {
            # fetching
            "requests", "requests_cache", "urllib3", "protego", "w3lib", "url_normalize",
            # HTML and page metadata
            "bs4", "lxml", "extruct", "trafilatura", "htmldate",
            # PDF, language, feeds, OAI-PMH, spreadsheets
            "pypdfium2", "pypdf", "py3langid", "feedparser", "sickle", "oaipmh", "openpyxl",
        }),
    ),
    "indexer": Allowed(
        project=frozenset({"catalogue", "indexer"}),
        third_party=frozenset({"whoosh", "snowballstemmer", "py3langid", "numpy"}),
    ),
    "webapp": Allowed(
        project=frozenset({"catalogue", "catalogue.importers", "indexer", "webapp"}),
        third_party=frozenset({
            "flask", "werkzeug", "click", "jinja2", "markupsafe", "itsdangerous", "waitress",
            "flask_babel", "babel", "flask_compress", "flask_wtf", "wtforms", "flask_login", "flask_limiter",
            "argon2", "nh3", "redis", "flask_cors", "limits", "gunicorn",
        }),
    ),
}

# Modules with exactly one home: imported only by files under that directory.
EXCLUSIVE_HOMES: dict[str, str] = {
    "requests": "catalogue/importers/",
    "bs4": "catalogue/importers/",
    "openpyxl": "catalogue/importers/",
    "feedparser": "catalogue/importers/",
    "sickle": "catalogue/importers/",
    "whoosh": "indexer/",
    "flask": "webapp/",
    "webapp": "webapp/",  # nothing imports the web app (tests are not walked)
}

# So the tests cannot pass vacuously: the walker must see these imports.
MUST_SEE: dict[str, str] = {"catalogue": "sqlalchemy", "indexer": "whoosh", "webapp": "flask"}

ROOT = Path(__file__).resolve().parent.parent
WALKED_DIRS = ("catalogue", "indexer", "webapp")
PROJECT_TOPS = frozenset(name.partition(".")[0] for name in RULES)
# Longest first, so catalogue.importers.x is classed before catalogue.x.
_PACKAGES_BY_LENGTH = sorted(RULES, key=len, reverse=True)


class Edge(NamedTuple):
    path: str      # importing file, relative to ROOT, or "<snippet>"
    line: int
    package: str   # project package of the importing module
    target: str    # absolute dotted name that is imported


# ---------------------------------------------------------------------- the checker


def package_of(module: str) -> str | None:
    """Return the project package a dotted module name belongs to, or None."""
    for package in _PACKAGES_BY_LENGTH:
        if module == package or module.startswith(package + "."):
            return package
    return None


def module_name(path: Path) -> tuple[str, bool]:
    """Return the dotted name of a file under ROOT and whether it is a package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def _resolve(node: ast.ImportFrom, importer: str, is_package: bool) -> str | None:
    """Return the absolute module of a from-import, or None if it climbs too high."""
    if node.level == 0:
        return node.module
    parts = importer.split(".") if is_package else importer.split(".")[:-1]
    keep = len(parts) - (node.level - 1)
    if keep < 1:
        return None
    return ".".join(parts[:keep] + ([node.module] if node.module else []))


def imports_in(tree: ast.AST, importer: str, is_package: bool) -> Iterator[tuple[int, str | None]]:
    """Yield (line, absolute module) for every import anywhere in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, importer, is_package)
            if base is None:
                yield node.lineno, None
                continue
            for alias in node.names:
                # `from catalogue import importers` imports the subpackage.
                sub = f"{base}.{alias.name}"
                crosses = package_of(base) is not None and package_of(sub) != package_of(base)
                yield node.lineno, sub if alias.name != "*" and crosses else base


def edges_in(source: str | bytes, path: str, importer: str, is_package: bool = False) -> list[Edge]:
    """Return the import edges of one module's source, one per (line, target)."""
    package = package_of(importer)
    assert package is not None, f"{path}: {importer} is in no project package"
    tree = ast.parse(source, filename=path)
    seen: dict[tuple[int, str], Edge] = {}
    for line, target in imports_in(tree, importer, is_package):
        target = target if target is not None else "<relative import above the top level>"
        seen.setdefault((line, target), Edge(path, line, package, target))
    return list(seen.values())


def violation(edge: Edge) -> str | None:
    """Return a readable message if the rules forbid this edge, else None."""
    allowed = RULES[edge.package]
    top = edge.target.partition(".")[0]
    if top == "__future__" or top in sys.stdlib_module_names:
        return None
    if top in PROJECT_TOPS:
        wanted = package_of(edge.target)
        if wanted in allowed.project:
            return None
    elif top in allowed.third_party:
        return None
    else:
        wanted = top
    if edge.target.startswith("<"):
        wanted = "above the top-level package"
    return f"{edge.path}:{edge.line} imports {edge.target} (package {edge.package} may not import {wanted})"


def violations_in_source(source: str, package: str, path: str = "<snippet>") -> list[str]:
    """Check a snippet as if it were a module of `package`; return the violations."""
    edges = edges_in(source, path, f"{package}.snippet")
    return [message for edge in edges if (message := violation(edge))]


def walk_project() -> dict[str, list[Edge]]:
    """Return {path: edges} for every module under the walked directories."""
    found: dict[str, list[Edge]] = {}
    for top in WALKED_DIRS:
        for file in sorted((ROOT / top).rglob("*.py")):
            importer, is_package = module_name(file)
            rel = file.relative_to(ROOT).as_posix()
            found[rel] = edges_in(file.read_bytes(), rel, importer, is_package)
    return found


@pytest.fixture(scope="module")
def project() -> dict[str, list[Edge]]:
    return walk_project()


def _package_of_path(path: str) -> str:
    return package_of(path.removesuffix(".py").replace("/", ".")) or "?"


# ------------------------------------------------------------------------ the tests


@pytest.mark.parametrize("package", list(RULES))
def test_package_imports_only_what_the_table_allows(project, package):
    offending = [
        message
        for edges in project.values()
        for edge in edges
        if edge.package == package and (message := violation(edge))
    ]
    assert not offending, f"{len(offending)} forbidden import(s):\n" + "\n".join(offending)


@pytest.mark.parametrize("module, home", list(EXCLUSIVE_HOMES.items()))
def test_exclusive_module_is_imported_only_in_its_home(project, module, home):
    offending = [
        f"{edge.path}:{edge.line} imports {edge.target} ({module} belongs only under {home})"
        for path, edges in project.items()
        for edge in edges
        if edge.target.partition(".")[0] == module and not path.startswith(home)
    ]
    assert not offending, "\n".join(offending)


@pytest.mark.parametrize("module, home", list(EXCLUSIVE_HOMES.items()))
def test_table_grants_exclusive_module_only_to_its_home(module, home):
    home_package = _package_of_path(home + "x.py")
    granted = sorted(
        package for package, allowed in RULES.items()
        if package != home_package and (module in allowed.third_party or module in allowed.project)
    )
    assert not granted, f"RULES lets {granted} import {module}, which belongs only under {home}"


@pytest.mark.parametrize("package", list(RULES))
def test_walker_finds_the_package_and_its_imports(project, package):
    modules = [path for path in project if _package_of_path(path) == package]
    assert len(modules) > 2, f"walker found only {modules} in {package}"
    if package in MUST_SEE:
        wanted = MUST_SEE[package]
        tops = {e.target.partition(".")[0] for p in modules for e in project[p]}
        assert wanted in tops, f"walker saw no import of {wanted} in {package}"


@pytest.mark.parametrize(
    "source, package, expected",
    [
        ("import whoosh", "catalogue", ["<snippet>:1 imports whoosh (package catalogue may not import whoosh)"]),
        ("from catalogue.model import Product", "indexer", []),
        ("from webapp import x", "indexer", ["<snippet>:1 imports webapp (package indexer may not import webapp)"]),
        ("import os, json\nfrom __future__ import annotations", "catalogue", []),
        ("def f():\n    import flask", "catalogue", ["<snippet>:2 imports flask (package catalogue may not import flask)"]),
        ("import numpy", "webapp", ["<snippet>:1 imports numpy (package webapp may not import numpy)"]),
        ("import requests", "catalogue.importers", []),
        ("import sqlalchemy", "indexer", ["<snippet>:1 imports sqlalchemy (package indexer may not import sqlalchemy)"]),
        ("from catalogue import importers", "indexer",
         ["<snippet>:1 imports catalogue.importers (package indexer may not import catalogue.importers)"]),
        ("import catalogue.importers.corpus", "catalogue",
         ["<snippet>:1 imports catalogue.importers.corpus (package catalogue may not import catalogue.importers)"]),
        ("from . import report\nfrom ..store import Store", "catalogue.importers", []),
        ("from . import whatever", "indexer", []),
        ("from .. import x", "indexer",
         ["<snippet>:1 imports <relative import above the top level> "
          "(package indexer may not import above the top-level package)"]),
        ("from webapp.app import create_app\nfrom indexer import search", "webapp", []),
    ],
)
def test_checker_on_snippets(source, package, expected):
    assert violations_in_source(source, package) == expected
