from __future__ import annotations

from pbbot.counting.greedy import greedy
from pbbot.counting.pabulib import read_pabulib_text
from pbbot.counting.rules import count
from tests.counting.conftest import election_from

# Budget 10: A (6, 3 votes) fits; B (5, 2 votes) no longer fits; C (4, 1 vote) does.
PROJECTS = """
A;6;Park;nature
B;5;Bench;public space
C;4;Library;culture
"""
VOTES = """
v1;A,B
v2;A,B
v3;A,C
"""


def test_greedy_skips_what_no_longer_fits_and_goes_on():
    election = election_from(PROJECTS, VOTES, budget=10)

    assert greedy(election).selected == ("A", "C")


def test_greedy_no_skip_stops_at_the_first_project_that_does_not_fit():
    election = election_from(PROJECTS, VOTES, budget=10, rule="greedy-no-skip")

    assert count(election).selected == ("A",)


def test_threshold_keeps_projects_with_too_few_votes_out():
    election = election_from(
        PROJECTS,
        VOTES,
        budget=10,
        rule="greedy-threshold",
        extra_meta="min_project_score_threshold;2",
    )

    # C fits but has 1 vote; B has 2 votes but does not fit.
    assert count(election).selected == ("A",)


def test_equal_votes_are_ordered_by_project_id_as_text():
    election = election_from("10;5;Ten;\n9;5;Nine;", "v1;9,10", budget=5)

    # "10" < "9" as text, as pabutools orders ties.
    assert greedy(election).selected == ("10",)


def test_projects_nobody_chose_are_never_funded():
    election = election_from("A;1;A;\nB;1;B;", "v1;A", budget=10)

    assert greedy(election).selected == ("A",)


def test_cumulative_ballots_are_counted_by_points():
    text = "\n".join(
        [
            "META",
            "key;value",
            "budget;10",
            "vote_type;cumulative",
            "rule;greedy",
            "PROJECTS",
            "project_id;cost",
            "A;6",
            "B;6",
            "VOTES",
            "voter_id;vote;points",
            "1;A,B;1,4",
            "2;A;2",
        ]
    )
    election = read_pabulib_text(text)

    # A has more voters (2) but B more points (4 against 3).
    assert count(election).selected == ("B",)
