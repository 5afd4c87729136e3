from __future__ import annotations

from pathlib import Path

import pytest

from pbbot.counting.chart import draw_chart
from pbbot.counting.equal_shares import equal_shares_add1
from pbbot.counting.results import MAX_SMS_SEGMENTS, TELEGRAM_LIMIT, render_results
from pbbot.counting.rules import count
from pbbot.counting.vessels import funded_by_theme, theme_shares
from pbbot.i18n.catalogs import SUPPORTED_LOCALES, translator
from pbbot.i18n.sms import sms_segments
from tests.counting.conftest import election_from, load_shared

pytestmark = pytest.mark.usefixtures("compiled_locales")

PROJECTS = """
p1;6000;Speeltuin Zuid;sport,public space
p2;3000;Bankjes;public space
p3;4000;Bibliotheekkast;culture
"""
VOTES = """
v1;p1,p2
v2;p1,p3
v3;p2,p3
v4;p1
"""


def _election():
    return election_from(PROJECTS, VOTES, budget=10000, extra_meta="num_eligible;40")


def test_the_telegram_text_names_winners_amounts_themes_turnout_rule_and_next_step():
    outcome = count(_election())  # greedy: p1 (3 votes), p2 (2, before p3 by id); p3 no longer fits

    text = render_results(outcome, translator("en"))

    assert text.splitlines()[0] == (
        "Vote results: 2 projects are funded, for €9,000 of the €10,000 budget."
    )
    assert "4 residents voted. That is 10% of the residents who could vote." in text
    assert "• Speeltuin Zuid: €6,000 (3 votes)" in text
    assert "• Bankjes: €3,000 (2 votes)" in text
    assert "• public space: €6,000 (67%)" in text
    assert "the projects with the most votes were funded first" in text
    assert "What happens next" in text


@pytest.mark.parametrize(
    ("locale", "headline", "theme"),
    [
        (
            "nl",
            "Uitslag: 2 projecten krijgen geld, samen €\u00a09.000 "
            "van het budget van €\u00a010.000.",
            "openbare ruimte",
        ),
        ("fr", "Résultats du vote\u00a0: 2 projets sont financés", "espace public"),
        ("tr", "Oylama sonuçları: 2 proje finanse ediliyor", "kamusal alan"),
        ("ar", "نتائج التصويت: سيُموَّل مشروعان", "الفضاء العام"),
    ],
)
def test_every_language_reads_its_own_text(locale: str, headline: str, theme: str):
    text = render_results(count(_election()), translator(locale))

    assert text.startswith(headline)
    assert theme in text
    assert "How the winners" not in text


def test_equal_shares_is_explained_as_equal_shares():
    election = election_from(PROJECTS, VOTES, budget=10000, rule="equalshares/add1")

    text = render_results(equal_shares_add1(election), translator("en"))

    assert "the Method of Equal Shares" in text


def test_the_sms_tells_a_resident_how_their_own_choices_fared():
    outcome = count(_election())

    mine = render_results(outcome, translator("en"), channel="sms", chosen=["p1", "p2", "p3"])
    one = render_results(outcome, translator("en"), channel="sms", chosen=["p3"])
    nl = render_results(outcome, translator("nl"), channel="sms", chosen=["p1", "p3"])

    assert "2 of your 3 projects were funded." in mine
    assert "Your project was not funded." in one
    assert "1 van je 2 projecten krijgt geld." in nl


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("name", ["Poland_Lodz_2022.pb", "Poland_Wieliczka_2023_Green_Budget.pb"])
def test_sms_fits_in_three_segments_and_telegram_in_one_message(locale: str, name: str):
    election = load_shared(name)
    outcome = count(election)
    ballot = election.ballots[0].projects

    sms = render_results(outcome, translator(locale), channel="sms", chosen=ballot)
    telegram = render_results(outcome, translator(locale))

    assert sms_segments(sms).segments <= MAX_SMS_SEGMENTS
    assert len(telegram) <= TELEGRAM_LIMIT


def test_the_sms_adds_winners_by_name_only_while_it_fits():
    text = render_results(count(_election()), translator("en"), channel="sms")

    assert "Funded: Speeltuin Zuid; Bankjes." in text
    assert sms_segments(text).segments <= MAX_SMS_SEGMENTS


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_an_sms_with_more_winners_than_fit_says_how_many_it_left_out(locale: str):
    outcome = count(load_shared("Poland_Lodz_2022.pb"))
    tr = translator(locale)
    text = render_results(outcome, tr, channel="sms")

    if tr.gettext("Funded: {names}.").split("{")[0] in text:  # else the headline's count only
        named = text.count(";") + 1  # the names listed, "; " between them
        rest = len(outcome.selected) - named
        assert rest > 0
        more = tr.ngettext("and {count} more project", "and {count} more projects", rest)
        assert more.format(count=rest) in text
    assert sms_segments(text).segments <= MAX_SMS_SEGMENTS


def test_the_chart_is_a_png(tmp_path: Path):
    path = draw_chart(count(_election()), tmp_path / "chart.png", translator("nl"))

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000


def test_money_per_theme_splits_a_project_over_its_themes():
    outcome = count(election_from(PROJECTS, VOTES, budget=6000))

    assert funded_by_theme(outcome) == {"public space": 3000, "sport": 3000}


def test_communicating_vessels_follow_the_mean_and_median_voter_split():
    shares = {share.theme: share for share in theme_shares(_election())}

    # Public space: v1 3/4 (p1 split with sport, p2), v2 1/4, v3 1/2, v4 1/2 (p1 alone).
    assert sum(share.mean for share in shares.values()) == pytest.approx(1)
    assert sum(share.median_amount for share in shares.values()) == pytest.approx(10000, abs=2)
    assert shares["public space"].mean == pytest.approx((0.75 + 0.25 + 0.5 + 0.5) / 4)
