"""Extraction, update and compilation, on a small project in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.support import Translations

from pbbot.i18n.catalogs import SUPPORTED_LOCALES
from pbbot.i18n.extract import (
    catalog_path,
    compile_catalogs,
    extract_template,
    project_root,
    read_catalog,
    update_catalogs,
    write_catalog,
)
from pbbot.i18n.plurals import PLURAL_FORMS

SOURCE = """\
from gettext import gettext as _, ngettext


def greet(name):
    # Translators: the first message a resident ever gets.
    return _("Welcome, {name}!").format(name=name)


def votes(n):
    return ngettext("{n} vote", "{n} votes", n).format(n=n)
"""

FLOW = """\
spec_version: 1
steps:
  start:
    text: "What would you like to do?"
    choices:
      - label: "Information"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(project_root() / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "src" / "demo").mkdir(parents=True)
    (tmp_path / "src" / "demo" / "texts.py").write_text(SOURCE)
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "main.yaml").write_text(FLOW)
    # Files babel.cfg does not map stay out of the template.
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text('_("not a resident text")\n')
    return tmp_path


def test_template_holds_python_and_flow_texts_with_locations(project: Path) -> None:
    template = extract_template(project)

    found = {message.id: message.locations for message in template if message.id}
    assert found == {
        "Welcome, {name}!": [("src/demo/texts.py", 6)],
        ("{n} vote", "{n} votes"): [("src/demo/texts.py", 10)],
        "What would you like to do?": [("flows/main.yaml", 4)],
        "Information": [("flows/main.yaml", 6)],
    }
    assert template["Welcome, {name}!"].auto_comments == ["the first message a resident ever gets."]


def test_update_creates_every_catalog_with_our_plural_header(project: Path) -> None:
    folder = project / "locales"

    written = update_catalogs(extract_template(project), folder)

    assert written == [catalog_path(folder, locale) for locale in SUPPORTED_LOCALES]
    for locale in SUPPORTED_LOCALES:
        catalog = read_catalog(catalog_path(folder, locale), locale=locale)
        assert catalog.plural_forms == PLURAL_FORMS[locale]
        assert str(catalog.locale) == locale
        assert catalog["What would you like to do?"].string == ""


def test_update_keeps_translations_drops_removed_texts_and_adds_new_ones(project: Path) -> None:
    folder = project / "locales"
    update_catalogs(extract_template(project), folder, ["nl"])
    path = catalog_path(folder, "nl")
    catalog = read_catalog(path, locale="nl")
    catalog["Information"].string = "Informatie"
    write_catalog(catalog, path)
    flow = project / "flows" / "main.yaml"
    flow.write_text(FLOW.replace("What would you like to do?", "Pick a number."))

    update_catalogs(extract_template(project), folder, ["nl"])

    catalog = read_catalog(path, locale="nl")
    assert catalog["Information"].string == "Informatie"
    assert catalog.get("What would you like to do?") is None
    assert catalog["Pick a number."].string == ""
    assert catalog.plural_forms == PLURAL_FORMS["nl"]


def test_compile_leaves_fuzzy_guesses_out(project: Path) -> None:
    folder = project / "locales"
    update_catalogs(extract_template(project), folder, ["fr"])
    path = catalog_path(folder, "fr")
    catalog = read_catalog(path, locale="fr")
    catalog["Information"].string = "Informations"
    catalog["What would you like to do?"].string = "Que voulez-vous faire ?"
    catalog["What would you like to do?"].flags.add("fuzzy")
    write_catalog(catalog, path)

    (compiled,) = compile_catalogs(folder, ["fr"])

    assert compiled == path.with_suffix(".mo")
    translations = Translations.load(str(folder), ["fr"], domain="pbbot")
    assert translations.gettext("Information") == "Informations"
    assert translations.gettext("What would you like to do?") == "What would you like to do?"
