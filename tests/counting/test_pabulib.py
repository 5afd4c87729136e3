from __future__ import annotations

import io

import pytest

from pbbot.counting.pabulib import read_pabulib, read_pabulib_text, write_pabulib
from pbbot.counting.rules import count
from pbbot.errors import PabulibError
from tests.counting.conftest import election_from, load_shared

VALID = """META
key;value
budget;100
vote_type;approval
num_projects;2
num_votes;2
PROJECTS
project_id;cost;name
1;60;Park
2;50;"Bench; with a semicolon"
VOTES
voter_id;vote
a;1,2
b;1
"""


def _roundtrip(election, **kwargs):
    buffer = io.StringIO()
    write_pabulib(election, buffer, **kwargs)
    return read_pabulib_text(buffer.getvalue(), source="written.pb")


@pytest.mark.parametrize(
    "name",
    [
        "Poland_Warszawa_2021_Targowek.pb",  # categories, coordinates, beneficiaries
        "Poland_Czestochowa_2024_Lisiniec.pb",  # cumulative, with points
        "Poland_Gdynia_2023_Kamienna_Gora__small.pb",  # ids with slashes, voting_method column
    ],
)
def test_read_write_read_gives_the_same_election(name: str):
    election = load_shared(name)

    again = _roundtrip(election)

    assert again == election


def test_quoted_fields_and_hand_written_files_round_trip():
    election = read_pabulib_text(VALID)

    assert election.project_by_id["2"].name == "Bench; with a semicolon"
    assert _roundtrip(election) == election


def test_written_selected_column_holds_the_outcome():
    election = election_from("A;6;A;\nB;5;B;", "v1;A\nv2;A,B", budget=10)
    outcome = count(election)

    again = _roundtrip(election, outcome=outcome)

    assert [p.selected for p in again.projects] == [True, False]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (VALID.replace("budget;100\n", ""), 6, "META lacks 'budget'"),
        (
            VALID.replace("1;60;Park", "1;sixty;Park"),
            9,
            "cost of project '1' is not a number: 'sixty'",
        ),
        (VALID.replace("a;1,2", "a;1,7"), 13, "voter 'a' chose unknown project '7'"),
        (VALID.replace("b;1\n", "b;1;extra\n"), 14, "expected 2 fields (voter_id;vote), got 3"),
        (VALID.replace("2;50;", "1;50;"), 10, "project '1' appears twice"),
        (VALID.replace("vote_type;approval", "vote_type;ordinal"), 7, "vote_type 'ordinal'"),
        (VALID.split("VOTES")[0], 10, "file ends without VOTES: truncated?"),
        (VALID.replace("b;1\n", ""), 13, "META num_votes is 2 but the file holds 1: truncated?"),
        ("PROJECTS\nproject_id;cost\n", 1, "section PROJECTS out of order"),
        ("hello;world\n", 1, "expected a section name"),
        (VALID.replace("project_id;cost;name", "id;cost;name"), 8, "lacks the column 'project_id'"),
    ],
)
def test_malformed_files_are_refused_with_line_and_reason(text: str, line: int, message: str):
    with pytest.raises(PabulibError) as refused:
        read_pabulib_text(text, source="bad.pb")

    assert refused.value.line == line
    assert message in refused.value.message
    assert str(refused.value).startswith(f"bad.pb:{line}: ")


def test_a_truncated_file_on_disk_is_refused(tmp_path):
    truncated = tmp_path / "truncated.pb"
    truncated.write_text(VALID[: VALID.index("b;1")], encoding="utf-8")

    with pytest.raises(PabulibError, match="num_votes is 2 but the file holds 1"):
        read_pabulib(truncated)


def test_a_missing_or_binary_file_is_refused(tmp_path):
    binary = tmp_path / "binary.pb"
    binary.write_bytes(b"\xff\xfe\x00META")

    with pytest.raises(PabulibError, match="not UTF-8"):
        read_pabulib(binary)
    with pytest.raises(PabulibError, match="No such file"):
        read_pabulib(tmp_path / "absent.pb")
