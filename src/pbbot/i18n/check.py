"""Catalog completeness: what `pbbot i18n check` and the test suite refuse to ship.

Per language: texts of the current template that are untranslated or only a fuzzy
guess, entries the template no longer has, translations whose placeholders differ
from the English text (a `{budget}` lost in translation is a crash or a blank at
run time), plural entries with the wrong number of forms, a Plural-Forms
header that disagrees with CLDR, and translations that break the language's
writing conventions (`conventions`: money written unlike `format_money`, a
Latin comma in Arabic, a phone number without its direction mark).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from string import Formatter

from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message

from pbbot.i18n.catalogs import SUPPORTED_LOCALES
from pbbot.i18n.conventions import convention_errors
from pbbot.i18n.extract import catalog_path, read_catalog
from pbbot.i18n.plurals import plural_forms_mismatch, single_count_forms

__all__ = ["CatalogReport", "check_catalog", "check_catalogs", "placeholders", "template_drift"]


@dataclass(frozen=True, slots=True)
class CatalogReport:
    """What is wrong with one language's catalog; `ok` when nothing is."""

    locale: str
    total: int
    untranslated: tuple[str, ...] = ()
    fuzzy: tuple[str, ...] = ()
    not_in_template: tuple[str, ...] = ()
    placeholder_errors: tuple[str, ...] = ()
    plural_errors: tuple[str, ...] = ()
    header_errors: tuple[str, ...] = ()
    convention_errors: tuple[str, ...] = ()

    @property
    def translated(self) -> int:
        return self.total - len(self.untranslated) - len(self.fuzzy)

    @property
    def ok(self) -> bool:
        return not (
            self.untranslated
            or self.fuzzy
            or self.not_in_template
            or self.placeholder_errors
            or self.plural_errors
            or self.header_errors
            or self.convention_errors
        )

    def listing(self) -> list[str]:
        """Readable lines: a summary, then one line per problem."""
        lines = [f"{self.locale}: {self.translated}/{self.total} translated"]
        sections = (
            ("Plural-Forms header", self.header_errors),
            ("untranslated", self.untranslated),
            ("fuzzy", self.fuzzy),
            ("not in the template", self.not_in_template),
            ("placeholders differ", self.placeholder_errors),
            ("plural forms", self.plural_errors),
            ("conventions", self.convention_errors),
        )
        for title, entries in sections:
            lines.extend(f"  {title}: {entry}" for entry in entries)
        return lines


def placeholders(text: str) -> frozenset[str]:
    """The `%(name)s`/`%s` and `{name}` placeholders of a text, by name.

    Positional `%s` placeholders are numbered by position: they must stay in order.
    """
    found = set()
    position = 0
    for match in PYTHON_FORMAT.finditer(text):
        name, conversion = match.group(1), match.group(3)
        if conversion == "%":
            continue
        if name is None:
            found.add(f"%{position}")
            position += 1
        else:
            found.add(f"%({name})")
    found.update(f"{{{field}}}" for field in _brace_fields(text))
    return frozenset(found)


def _brace_fields(text: str) -> list[str]:
    if "{" not in text:
        return []
    try:
        parsed = list(Formatter().parse(text))
    except ValueError:
        return []
    # "{budget:,}" and "{edition.name}" both use the field "budget"/"edition".
    return [re.split(r"[.\[]", field)[0] for _, field, _, _ in parsed if field]


def _label(message: Message) -> str:
    text = message.id[0] if isinstance(message.id, tuple | list) else message.id
    where = f" ({message.locations[0][0]}:{message.locations[0][1]})" if message.locations else ""
    return f"{text!r}{where}"


def _forms(message: Message) -> tuple[str, ...]:
    """The translation as a tuple: one form, or one per plural form."""
    if isinstance(message.string, tuple | list):
        return tuple(message.string)
    return (message.string or "",)


def _is_translated(message: Message) -> bool:
    return all(_forms(message))


def _placeholder_error(message: Message, single_forms: frozenset[int]) -> str | None:
    if isinstance(message.id, tuple | list):
        singular, plural = message.id
        expected = placeholders(singular) | placeholders(plural)
        for index, form in enumerate(_forms(message)):
            got = placeholders(form)
            # A form only one count selects may spell the number out, not more.
            allowed = got <= expected if index in single_forms else got == expected
            if form and not allowed:
                return f"{_label(message)} form {index}: {sorted(got)} vs {sorted(expected)}"
        return None
    (translation,) = _forms(message)
    expected, got = placeholders(message.id), placeholders(translation)
    if translation and got != expected:
        return f"{_label(message)}: {sorted(got)} vs {sorted(expected)}"
    return None


def check_catalog(
    catalog: Catalog, template: Catalog, locale: str, currency: str = "EUR"
) -> CatalogReport:
    """Compare one language's catalog with the current template.

    `currency` is the one amounts written in the translations are checked against.
    """
    header = catalog.plural_forms
    header_errors = []
    mismatch = plural_forms_mismatch(locale, header)
    if mismatch:
        header_errors.append(f"{header!r}: {mismatch}")
        single_forms: frozenset[int] = frozenset()
    else:
        single_forms = single_count_forms(header)
    if str(catalog.locale) != locale:
        header_errors.append(f"Language is {catalog.locale}, expected {locale}")

    untranslated, fuzzy, placeholder_errors, plural_errors = [], [], [], []
    conventions: list[str] = []
    for wanted in template:
        if not wanted.id:
            continue
        message = catalog.get(wanted.id, context=wanted.context)
        if message is None or not _is_translated(message):
            untranslated.append(_label(wanted))
            continue
        if message.fuzzy:
            fuzzy.append(_label(wanted))
        if message.pluralizable and len(_forms(message)) != catalog.num_plurals:
            plural_errors.append(
                f"{_label(wanted)}: {len(_forms(message))} forms, expected {catalog.num_plurals}"
            )
        error = _placeholder_error(message, single_forms)
        if error:
            placeholder_errors.append(error)
        conventions.extend(
            f"{_label(wanted)}: {problem}"
            for form in dict.fromkeys(_forms(message))
            for problem in convention_errors(form, locale, currency)
        )
    not_in_template = [
        _label(message)
        for message in catalog
        if message.id and template.get(message.id, context=message.context) is None
    ]
    return CatalogReport(
        locale=locale,
        total=sum(1 for message in template if message.id),
        untranslated=tuple(untranslated),
        fuzzy=tuple(fuzzy),
        not_in_template=tuple(not_in_template),
        placeholder_errors=tuple(placeholder_errors),
        plural_errors=tuple(plural_errors),
        header_errors=tuple(header_errors),
        convention_errors=tuple(conventions),
    )


def check_catalogs(
    template: Catalog,
    folder: Path,
    locales: Iterable[str] = SUPPORTED_LOCALES,
    currency: str = "EUR",
) -> list[CatalogReport]:
    """Check every language's catalog under `folder`; a missing file is reported too."""
    reports = []
    for locale in locales:
        path = catalog_path(folder, locale)
        if not path.exists():
            reports.append(
                CatalogReport(
                    locale=locale,
                    total=sum(1 for message in template if message.id),
                    untranslated=tuple(_label(message) for message in template if message.id),
                    header_errors=(f"{path} does not exist (run `pbbot i18n update`)",),
                )
            )
            continue
        catalog = read_catalog(path, locale=locale)
        reports.append(check_catalog(catalog, template, locale, currency))
    return reports


def template_drift(saved: Catalog, current: Catalog) -> tuple[str, ...]:
    """Texts in which the saved `.pot` and a fresh extraction differ."""
    saved_ids = {(message.id, message.context) for message in saved if message.id}
    current_ids = {(message.id, message.context) for message in current if message.id}
    missing = [
        f"not extracted yet: {_label(m)}"
        for m in current
        if (m.id, m.context) in current_ids - saved_ids
    ]
    gone = [
        f"no longer in the sources: {_label(m)}"
        for m in saved
        if (m.id, m.context) in saved_ids - current_ids
    ]
    return tuple(missing + gone)
