"""Reading an edition file: YAML in, a validated `Edition` out, or an `EditionError`
that names the file, the line, the field and what is wrong.

pbbot never starts half-configured: the first problem stops the load.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import get_currency_name

from pbbot.config.yamlfile import Node, line_of, load_yaml
from pbbot.domain.broadcasting import MESSAGE_NAMES
from pbbot.domain.edition import (
    PHASE_KINDS,
    VOTING_METHODS,
    VOTING_RULES,
    Contact,
    Criteria,
    Edition,
    Expectations,
    Ideas,
    Phase,
    Questions,
    Reminder,
    Theme,
    Voting,
)
from pbbot.domain.languages import SUPPORTED_LOCALES
from pbbot.domain.phones import calling_code
from pbbot.errors import EditionError

__all__ = ["load_edition", "parse_edition"]

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_COUNTRY = re.compile(r"[A-Z]{2}")
_MOMENT = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}))?")
_TIME = re.compile(r"\d{1,2}:\d{2}")
T = TypeVar("T")


def load_edition(path: Path) -> Edition:
    return parse_edition(load_yaml(path, EditionError), source=str(path))


class _Reader:
    """Reads fields of one mapping, naming `path.field` in every error."""

    def __init__(self, data: Any, path: str, source: str, parent_line: int | None = None):
        self.source = source
        self.path = path
        if not isinstance(data, Mapping):
            self.fail(f"{path or 'the file'} must be a mapping of fields", parent_line)
        self.data: Mapping[str, Any] = data

    def fail(self, message: str, line: int | None = None) -> NoReturn:
        raise EditionError(message, source=self.source, line=line)

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def line(self, key: str | None = None) -> int | None:
        return line_of(self.data, key)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str, *, required: bool = True) -> Any:
        if key not in self.data or self.data[key] is None:
            if required:
                self.fail(f"missing field '{self._name(key)}'", self.line())
            return None
        return self.data[key]

    def check(self, key: str, ok: bool, expected: str) -> None:
        if not ok:
            self.fail(
                f"field '{self._name(key)}': expected {expected}, got {self.data.get(key)!r}",
                self.line(key),
            )

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        self.check(key, isinstance(value, str) and value.strip() != "", "a non-empty text")
        return str(value).strip()

    def identifier(self, key: str) -> str:
        value = self.raw(key)
        self.check(key, isinstance(value, str) and bool(_ID.match(value)), "a lower-case id")
        return str(value)

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.raw(key, required=False)
        if value is None:
            return default
        self.check(key, isinstance(value, bool), "true or false")
        return bool(value)

    def integer(self, key: str, *, required: bool = True, minimum: int = 0) -> int | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= minimum
        self.check(key, ok, f"a whole number of at least {minimum}")
        return int(value)

    def amount(self, key: str, *, required: bool = True) -> Decimal | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            amount = Decimal(-1)
        self.check(key, not isinstance(value, bool) and amount > 0, "a positive amount")
        return amount

    def moment(self, key: str, zone: ZoneInfo) -> tuple[date, time | None]:
        """A date, or a date and time of day (`2027-04-12 09:00`), in `zone`."""
        value = self.raw(key)
        found = _MOMENT.fullmatch(str(value).strip())
        try:
            if found is None:
                raise ValueError
            day = date.fromisoformat(found[1])
            hour = time.fromisoformat(found[2].zfill(5)) if found[2] else None
        except ValueError:
            timed = " " in str(value).strip() or "T" in str(value)
            expected = 'a date and time as "YYYY-MM-DD HH:MM"' if timed else "a date as YYYY-MM-DD"
            self.fail(
                f"field '{self._name(key)}': expected {expected}, got {value!r}",
                self.line(key),
            )
        if hour is not None and not _exists(day, hour, zone):
            self.fail(
                f"field '{self._name(key)}': {day} {hour:%H:%M} does not exist in {zone.key} "
                "(the clocks go forward then)",
                self.line(key),
            )
        return day, hour

    def time_of_day(self, key: str) -> time | None:
        value = self.raw(key, required=False)
        if value is None:
            return None
        if isinstance(value, int):  # YAML 1.1 reads an unquoted 10:00 as 600 (base 60)
            self.fail(
                f"field '{self._name(key)}': write the time in quotes, as \"10:00\"",
                self.line(key),
            )
        try:
            if not _TIME.fullmatch(str(value)):
                raise ValueError
            return time.fromisoformat(str(value).zfill(5))
        except ValueError:
            self.fail(
                f"field '{self._name(key)}': expected a time of day as \"HH:MM\", got {value!r}",
                self.line(key),
            )

    def reject_unknown(self, known: tuple[str, ...]) -> None:
        """An unknown field is a typo that would silently keep a default."""
        for key in self.data:
            if key not in known:
                self.fail(
                    f"unknown field '{self._name(key)}'; expected one of " + ", ".join(known),
                    self.line(key),
                )

    def choice(self, key: str, options: tuple[str, ...], *, default: str | None = None) -> str:
        value = self.raw(key, required=default is None)
        if value is None and default is not None:
            return default
        self.check(key, value in options, "one of " + ", ".join(options))
        return str(value)

    def child(self, key: str, *, required: bool = True) -> _Reader:
        value = self.raw(key, required=required)
        return _Reader(
            Node() if value is None else value, self._name(key), self.source, self.line(key)
        )

    def items(self, key: str, *, required: bool = True) -> list[tuple[str, Any, int | None]]:
        """List items of field `key` as (path, item, line)."""
        value = self.raw(key, required=required)
        if value is None:
            return []
        self.check(key, isinstance(value, list), "a list")
        return [
            (f"{self._name(key)}[{index}]", item, line_of(item) or self.line(key))
            for index, item in enumerate(value)
        ]

    def localized(
        self, key: str, languages: tuple[str, ...], *, required: bool = True
    ) -> dict[str, str]:
        """A text per language: every offered language must have one."""
        if not required and not self.has(key):
            return {}
        texts = self.child(key)
        result = {}
        for language in languages:
            result[language] = texts.text(language) or ""
        for language in texts.data:
            if language not in languages:
                texts.fail(
                    f"field '{texts._name(language)}': '{language}' is not one of the "
                    f"edition's languages ({', '.join(languages)})",
                    texts.line(language),
                )
        return result


def _each(
    reader: _Reader, key: str, parse: Callable[[_Reader], T], *, required: bool = True
) -> list[T]:
    return [
        parse(_Reader(item, path, reader.source, line))
        for path, item, line in reader.items(key, required=required)
    ]


def parse_edition(data: Any, *, source: str) -> Edition:
    root = _Reader(data, "", source, 1)
    languages = _languages(root)
    budget = root.child("budget")
    currency = budget.text("currency") or ""
    budget.check("currency", _known_currency(currency), "an ISO 4217 currency code such as EUR")
    timezone = root.text("timezone") or ""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        root.fail(f"field 'timezone': unknown time zone {timezone!r}", root.line("timezone"))
    total = budget.amount("total")
    assert total is not None
    phases = _phases(root, ZoneInfo(timezone))
    edition = Edition(
        id=root.identifier("id"),
        name=root.localized("name", languages),
        intro=root.localized("intro", languages),
        languages=languages,
        budget=total,
        currency=currency,
        timezone=timezone,
        phases=phases,
        themes=tuple(_each(root, "themes", lambda r: _theme(r, languages))),
        criteria=_criteria(root.child("criteria"), languages),
        expectations=_expectations(root.child("expectations"), languages),
        voting=_voting(root.child("voting")),
        questions=_questions(root.child("questions", required=False)),
        contact=_contact(root.child("contact")),
        country=_country(root),
        ideas=_ideas(root.child("ideas", required=False)),
        source=source,
    )
    edition = replace(edition, reminders=_reminders(root, edition))
    if edition.criteria.max_cost is not None and edition.criteria.max_cost > edition.budget:
        root.fail(
            "field 'criteria.max_cost': the maximum cost of an idea is larger than the budget",
            root.child("criteria").line("max_cost"),
        )
    return edition


def _known_currency(code: str) -> bool:
    return len(code) == 3 and code.isupper() and get_currency_name(code, locale="en") != code


def _country(root: _Reader) -> str | None:
    """An ISO 3166 code that has a calling code: SMS answers its numbers by default."""
    country = root.text("country", required=False)
    if country is not None:
        known = bool(_COUNTRY.fullmatch(country)) and calling_code(country) is not None
        root.check("country", known, "an ISO 3166 country code such as BE")
    return country


def _languages(root: _Reader) -> tuple[str, ...]:
    languages = []
    for path, item, line in root.items("languages"):
        if item not in SUPPORTED_LOCALES:
            root.fail(
                f"field '{path}': unsupported language {item!r}; pbbot ships "
                + ", ".join(SUPPORTED_LOCALES),
                line,
            )
        if item in languages:
            root.fail(f"field '{path}': language {item!r} is listed twice", line)
        languages.append(item)
    if not languages:
        root.fail("field 'languages': list at least one language", root.line("languages"))
    return tuple(languages)


def _exists(day: date, hour: time, zone: ZoneInfo) -> bool:
    """Whether the wall-clock time happens in `zone` (not skipped by a DST change)."""
    local = datetime.combine(day, hour, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


def _phase(reader: _Reader, zone: ZoneInfo) -> Phase:
    kind = reader.choice("kind", PHASE_KINDS)
    start, opens = reader.moment("start", zone)
    end, closes = reader.moment("end", zone)
    if closes == time(0):  # "until 2027-05-10 00:00" is the whole of 9 May
        end, closes = end - timedelta(days=1), None
    phase = Phase(kind, start, end, opens, closes)
    if phase.ends_at(zone) <= phase.starts_at(zone):
        reader.fail(
            f"{reader.path}: the phase ends ({phase.end}) before it starts", reader.line("end")
        )
    return phase


def _when(phase: Phase, *, ends: bool) -> str:
    """A phase's boundary as staff wrote it: the day, with the time if they gave one."""
    day, hour = (phase.end, phase.closes) if ends else (phase.start, phase.opens)
    return f"{day} {hour:%H:%M}" if hour is not None else str(day)


def _phases(root: _Reader, zone: ZoneInfo) -> tuple[Phase, ...]:
    phases: list[Phase] = []
    for path, item, line in root.items("phases"):
        reader = _Reader(item, path, root.source, line)
        phase = _phase(reader, zone)
        if phases:
            previous = phases[-1]
            if PHASE_KINDS.index(phase.kind) <= PHASE_KINDS.index(previous.kind):
                reader.fail(
                    f"{path}: phase '{phase.kind}' must come after '{previous.kind}' "
                    f"(order: {', '.join(PHASE_KINDS)})",
                    reader.line("kind"),
                )
            if phase.starts_at(zone) < previous.ends_at(zone):
                reader.fail(
                    f"{path}: phase '{phase.kind}' starts on {_when(phase, ends=False)}, "
                    f"before '{previous.kind}' ends on {_when(previous, ends=True)}",
                    reader.line("start"),
                )
        phases.append(phase)
    if not phases:
        root.fail("field 'phases': list at least one phase", root.line("phases"))
    return tuple(phases)


def _theme(reader: _Reader, languages: tuple[str, ...]) -> Theme:
    return Theme(id=reader.identifier("id"), name=reader.localized("name", languages))


def _criteria(reader: _Reader, languages: tuple[str, ...]) -> Criteria:
    return Criteria(
        max_cost=reader.amount("max_cost", required=False),
        min_cost=reader.amount("min_cost", required=False),
        public=reader.boolean("public"),
        in_city=reader.boolean("in_city"),
        one_off=reader.boolean("one_off"),
        extra=reader.localized("extra", languages, required=False),
    )


def _expectations(reader: _Reader, languages: tuple[str, ...]) -> Expectations:
    binding = reader.raw("binding")
    reader.check("binding", isinstance(binding, bool), "true or false")
    return Expectations(binding=binding, note=reader.localized("note", languages, required=False))


# The fields of `voting:` that only one way of voting reads; elsewhere they are a mistake.
_VOTING_FIELDS_OF: dict[str, tuple[str, ...]] = {
    "basket": ("min_share_percent", "min_projects", "max_projects"),
    "approval": ("max_choices",),
    "pick_n": ("max_choices",),
    "vessels": ("step",),
}


def _voting(reader: _Reader) -> Voting:
    method = reader.choice("method", VOTING_METHODS)
    own = _VOTING_FIELDS_OF[method]
    for key in reader.data:
        if key in ("method", "rule", "min_age") or key in own:
            continue
        others = [name for name, fields in _VOTING_FIELDS_OF.items() if key in fields]
        reason = f"only for method {' or '.join(others)}" if others else "unknown field"
        reader.fail(f"field '{reader._name(key)}': {reason}", reader.line(key))
    max_choices = reader.integer(
        "max_choices", required=method in ("approval", "pick_n"), minimum=1
    )
    percent = reader.integer("min_share_percent", required=False, minimum=1)
    if percent is not None and percent > 100:
        reader.fail(
            f"field '{reader._name('min_share_percent')}': at most 100",
            reader.line("min_share_percent"),
        )
    least = reader.integer("min_projects", required=False, minimum=1)
    most = reader.integer("max_projects", required=False, minimum=1)
    if least is not None and most is not None and least > most:
        reader.fail(
            f"field '{reader._name('min_projects')}' is larger than 'max_projects'",
            reader.line("min_projects"),
        )
    step = reader.amount("step", required=False)
    return Voting(
        method=method,
        rule=reader.choice("rule", VOTING_RULES, default="greedy"),
        max_choices=max_choices,
        min_age=reader.integer("min_age", required=False),
        min_share=Decimal(percent) / 100 if percent is not None else None,
        min_projects=least,
        max_projects=most,
        step=step,
    )


def _questions(reader: _Reader) -> Questions:
    districts = []
    for path, item, line in reader.items("districts", required=False):
        if not isinstance(item, str) or not item.strip():
            reader.fail(f"field '{path}': expected a district name", line)
        districts.append(item.strip())
    ask_age = reader.boolean("age")
    min_age = reader.integer("min_age", required=False) or 0
    max_age = reader.integer("max_age", required=False) or 120
    if min_age > max_age:
        reader.fail("field 'questions.min_age' is larger than 'max_age'", reader.line("min_age"))
    return Questions(districts=tuple(districts), ask_age=ask_age, min_age=min_age, max_age=max_age)


def _ideas(reader: _Reader) -> Ideas:
    """Every field is optional."""
    known = ("daily_limit", "reports_to_hide")
    reader.reject_unknown(known)
    values = {key: reader.integer(key, required=False, minimum=1) for key in known}
    return Ideas(**{key: value for key, value in values.items() if value is not None})


_REMINDER_FIELDS = ("id", "phase", "message", "days_before_end", "at", "audience")


def _reminders(root: _Reader, edition: Edition) -> tuple[Reminder, ...]:
    reminders: list[Reminder] = []
    for path, item, line in root.items("reminders", required=False):
        reader = _Reader(item, path, root.source, line)
        reader.reject_unknown(_REMINDER_FIELDS)
        reminder = Reminder(
            id=reader.identifier("id"),
            phase=reader.choice("phase", tuple(phase.kind for phase in edition.phases)),
            message=reader.choice("message", MESSAGE_NAMES),
            days_before_end=reader.integer("days_before_end", required=False, minimum=1),
            audience=_audience(reader),
            line=line,
            at=reader.time_of_day("at"),
        )
        if any(other.id == reminder.id for other in reminders):
            reader.fail(
                f"field '{path}.id': reminder '{reminder.id}' is listed twice", reader.line("id")
            )
        phase = edition.phase(reminder.phase)
        assert phase is not None
        if reminder.due_at(edition) < phase.starts_at(edition.zone):
            reader.fail(
                f"{path}: reminder '{reminder.id}' would go before phase "
                f"'{phase.kind}' starts on {_when(phase, ends=False)}",
                reader.line("days_before_end"),
            )
        reminders.append(reminder)
    return tuple(reminders)


def _audience(reader: _Reader) -> tuple[str, ...]:
    """Segment specs such as `state=not_voted`; their keys and values are checked
    against the features by `pbbot.broadcasts.audience`, which sits above this file."""
    if isinstance(reader.raw("audience", required=False), str):
        specs = [(reader._name("audience"), reader.data["audience"], reader.line("audience"))]
    else:
        specs = reader.items("audience", required=False)
    found = []
    for path, spec, line in specs:
        key, equals, value = str(spec).partition("=")
        if not (isinstance(spec, str) and key.strip() and equals and value.strip()):
            reader.fail(
                f"field '{path}': expected a segment such as state=not_voted, got {spec!r}", line
            )
        found.append(spec.strip())
    return tuple(found)


def _contact(reader: _Reader) -> Contact:
    contact = Contact(
        email=reader.text("email", required=False),
        phone=reader.text("phone", required=False),
        website=reader.text("website", required=False),
    )
    if not (contact.email or contact.phone or contact.website):
        reader.fail("field 'contact': give at least an email, phone or website", reader.line())
    return contact
