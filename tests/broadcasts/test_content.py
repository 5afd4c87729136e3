"""What a broadcast says: the catalog messages in each language, with the
edition's dates, budget and MENU word as the language writes them, short
enough for one SMS segment (nl, fr, en) or two (tr, ar); staff texts per
language with their fallback, and the files they come from."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pbbot.broadcasts.content import (
    MAX_TEXT_CHARACTERS,
    MESSAGE_PHASES,
    Content,
    ContentError,
    catalog_content,
    fallback_languages,
    read_text_files,
    render,
    staff_content,
)
from pbbot.channels.sms.render import render_sms
from pbbot.config.edition_file import load_edition
from pbbot.domain.broadcasting import MESSAGE_NAMES, REMINDER_MESSAGES
from pbbot.domain.edition import Edition
from pbbot.domain.messages import Outbound
from pbbot.i18n.sms import SmsSize, sms_segments

EDITION = load_edition(Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml")
# Voting's first week, in Mechelen (UTC+2 in April).
NOW = datetime(2027, 4, 14, 8, 0, tzinfo=UTC)


def _ending(edition: Edition, day: date) -> Edition:
    """The example with a bigger budget, and ideation, review and voting all
    ending on `day`: the longest texts a city is likely to send."""
    phases = tuple(
        replace(phase, end=day) if phase.kind in ("ideation", "review", "voting") else phase
        for phase in edition.phases
    )
    return replace(edition, budget=Decimal(1_250_000), phases=phases)


# September: French's longest month name; June and August: Turkish's (Haziran, Ağustos).
LONG_MONTHS = [_ending(EDITION, date(2027, month, 30)) for month in (6, 8, 9)]


def sms(text: str, locale: str) -> SmsSize:
    return sms_segments(render_sms(Outbound(text=text, locale=locale)))


def test_every_message_name_has_its_text() -> None:
    assert list(MESSAGE_PHASES) == list(MESSAGE_NAMES)
    for name in MESSAGE_NAMES:
        assert catalog_content(name, EDITION) == Content(message=name)


def test_voting_is_open_in_five_languages() -> None:
    voting = catalog_content("voting", EDITION)
    texts = {locale: render(voting, EDITION, locale, now=NOW) for locale in EDITION.languages}
    assert texts == {
        "nl": "Je kunt stemmen tot en met 9 mei 2027: kies projecten voor €\u00a0600.000. "
        "Stuur MENU om te stemmen.",
        "fr": "Le vote est ouvert jusqu’au 9 mai 2027\u00a0: choisissez des projets pour "
        "600\u202f000\u00a0€. Envoyez MENU pour voter.",
        "en": "Voting is open until May 9, 2027: choose projects for €600,000. Send MENU to vote.",
        "tr": "Oylama 9 Mayıs 2027 tarihine kadar açık: €600.000 tutarındaki bütçe "
        "için projeleri seçin. Oy vermek için MENÜ yazın.",
        "ar": "التصويت مفتوح حتى 9 مايو 2027: اختر مشاريع بقيمة \u200f600,000\u00a0€. "
        "أرسل «قائمة» للتصويت.",
    }


def _moments() -> list[tuple[str, datetime]]:
    # The voting phase ends on 9 May (the example) or 30 September (`_later`).
    return [
        ("on a date", NOW),
        ("tomorrow", datetime(2027, 5, 8, 9, 0, tzinfo=UTC)),
        ("today", datetime(2027, 5, 9, 9, 0, tzinfo=UTC)),
    ]


@pytest.mark.parametrize("edition", [EDITION, *LONG_MONTHS], ids=["example", "jun", "aug", "sep"])
@pytest.mark.parametrize("name", MESSAGE_NAMES)
def test_every_message_fits_its_segments(edition: Edition, name: str) -> None:
    """One GSM-7 segment in Dutch, French and English; Turkish and Arabic need
    UCS-2, and take two at most. French "août" has a "û", which GSM-7 lacks:
    a French text naming a day in August is UCS-2, two segments (the dry run
    says why)."""
    content = catalog_content(name, edition)
    for _, now in _moments() if name in REMINDER_MESSAGES else _moments()[:1]:
        for locale in edition.languages:
            text = render(content, edition, locale, now=now)
            size = sms(text, locale)
            if locale == "fr" and "août" in text:
                assert (size.encoding, size.segments) == ("UCS-2", 2), size
            elif locale in ("nl", "fr", "en"):
                assert (size.encoding, size.segments) == ("GSM-7", 1), (locale, size)
            else:
                assert (size.encoding, size.segments <= 2) == ("UCS-2", True), (locale, size)


def test_a_reminder_says_today_or_tomorrow_in_the_city_s_time() -> None:
    reminder = catalog_content("voting_reminder", EDITION)

    def english(now: datetime) -> str:
        return render(reminder, EDITION, "en", now=now)

    assert (
        english(NOW) == "You have not voted yet. Voting closes on May 9, 2027: send MENU to vote."
    )
    assert english(datetime(2027, 5, 8, 9, 0, tzinfo=UTC)) == (
        "You have not voted yet. Voting closes tomorrow: send MENU to vote."
    )
    # 00:30 on 9 May in Mechelen is still 8 May in UTC.
    assert english(datetime(2027, 5, 8, 22, 30, tzinfo=UTC)) == (
        "You have not voted yet. Voting closes today: send MENU to vote."
    )
    basket = catalog_content("basket_reminder", EDITION)
    assert render(basket, EDITION, "nl", now=datetime(2027, 5, 8, 9, 0, tzinfo=UTC)) == (
        "Je stem is nog niet uitgebracht en telt dus nog niet. "
        "De stemming sluit morgen: stuur MENU om te stemmen."
    )


def test_french_writes_the_first_of_the_month_as_an_ordinal() -> None:
    phases = tuple(
        replace(phase, end=date(2027, 6, 1)) if phase.kind == "ideation" else phase
        for phase in EDITION.phases
    )
    ideation = catalog_content("ideation", EDITION)
    text = render(ideation, replace(EDITION, phases=phases), "fr", now=NOW)
    assert "jusqu’au 1er juin 2027." in text


def test_a_catalog_message_must_exist_and_have_its_phase() -> None:
    with pytest.raises(ContentError) as unknown:
        catalog_content("vote", EDITION)
    assert str(unknown.value) == (
        "--message vote is not one of information, ideation, review, voting, results, "
        "implementation, voting_reminder, basket_reminder"
    )
    without_review = replace(EDITION, phases=tuple(p for p in EDITION.phases if p.kind != "review"))
    with pytest.raises(ContentError, match="this edition has no review phase"):
        catalog_content("review", without_review)
    assert catalog_content("results", without_review) == Content(message="results")


def test_a_language_without_a_staff_text_gets_the_default_one() -> None:
    content = staff_content({"fr": "  Le vote est ouvert.\n", "nl": "Stemmen kan nu."}, EDITION)
    assert dict(content.texts) == {"nl": "Stemmen kan nu.", "fr": "Le vote est ouvert."}
    assert render(content, EDITION, "fr", now=NOW) == "Le vote est ouvert."
    assert render(content, EDITION, "tr", now=NOW) == "Stemmen kan nu."
    assert fallback_languages(content, EDITION, {"ar", "fr", "tr"}) == ["tr", "ar"]
    assert fallback_languages(catalog_content("voting", EDITION), EDITION, {"tr"}) == []
    assert content.describe() == "staff text in nl, fr"


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ({"nl": "  \n"}, "the nl text is empty"),
        (
            {"nl": "x" * (MAX_TEXT_CHARACTERS + 1)},
            "the nl text has 1,601 characters; an SMS takes at most 1,600",
        ),
        (
            {"nl": "Hallo", "de": "Hallo"},
            "de is not a language of this edition (nl, fr, en, tr, ar)",
        ),
        (
            {"fr": "Le vote est ouvert."},
            "no nl text: residents of the languages without a text get the text of nl, "
            "the edition's default language, so it must be given",
        ),
    ],
)
def test_a_staff_text_is_refused_when(texts: dict[str, str], message: str) -> None:
    with pytest.raises(ContentError) as refused:
        staff_content(texts, EDITION)
    assert str(refused.value) == message


def test_staff_texts_come_from_utf8_files(tmp_path: Path) -> None:
    (tmp_path / "nl.txt").write_text("Stemmen kan nu!\n", encoding="utf-8")
    (tmp_path / "tr.txt").write_text("Oylama başladı.", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("Le vote a commencé".encode("latin-1"))
    content = read_text_files([f"nl={tmp_path / 'nl.txt'}", f"tr={tmp_path / 'tr.txt'}"], EDITION)
    assert dict(content.texts) == {"nl": "Stemmen kan nu!", "tr": "Oylama başladı."}
    with pytest.raises(ContentError) as latin1:
        read_text_files([f"nl={tmp_path / 'latin1.txt'}"], EDITION)
    assert str(latin1.value) == f"{tmp_path / 'latin1.txt'}: the file is not UTF-8 text"
    with pytest.raises(ContentError, match="No such file"):
        read_text_files([f"nl={tmp_path / 'gone.txt'}"], EDITION)
    with pytest.raises(ContentError, match="expected LANG=FILE"):
        read_text_files([str(tmp_path / "nl.txt")], EDITION)
    with pytest.raises(ContentError, match="two files for nl"):
        read_text_files([f"nl={tmp_path / 'nl.txt'}"] * 2, EDITION)
