"""Shared fixtures: the real Pabulib files beside the repository, and small hand-made elections."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from pbbot.counting.election import Election
from pbbot.counting.pabulib import read_pabulib, read_pabulib_text
from pbbot.i18n.catalogs import locales_dir
from pbbot.i18n.extract import compile_catalogs

# The shared data lives beside the repository (never copied into it): ../shared/data/pabulib,
# or wherever PBBOT_PABULIB_DIR points (a worktree one level deeper).
PABULIB_DIR = Path(
    os.environ.get("PBBOT_PABULIB_DIR")
    or Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"
)
SHARED_FILES = sorted(PABULIB_DIR.glob("*.pb"))
SMALL_AND_MEDIUM = (
    "Netherlands_Assen_2024.pb",
    "Poland_Warszawa_2019_Las.pb",
    "Poland_Gdynia_2023_Kamienna_Gora__small.pb",
    "Poland_Swiecie_2023.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Poland_Warszawa_2021_Targowek.pb",
)


def shared_file(name: str) -> Path:
    path = PABULIB_DIR / name
    if not path.exists():
        pytest.skip(f"shared Pabulib data not found at {PABULIB_DIR} (see SOURCES.md there)")
    return path


@cache
def load_shared(name: str) -> Election:
    """A shared file, parsed once per test session."""
    return read_pabulib(shared_file(name))


def election_from(
    projects: str, votes: str, *, budget: int, rule: str = "greedy", extra_meta: str = ""
) -> Election:
    """A small election written as Pabulib.

    `projects` holds rows `id;cost;name;category`, `votes` rows `voter_id;vote`.
    """
    project_rows = projects.strip().splitlines()
    vote_rows = votes.strip().splitlines()
    text = "\n".join(
        [
            "META",
            "key;value",
            f"budget;{budget}",
            "vote_type;approval",
            f"rule;{rule}",
            "currency;EUR",
            *extra_meta.strip().splitlines(),
            "PROJECTS",
            "project_id;cost;name;category",
            *project_rows,
            "VOTES",
            "voter_id;vote",
            *vote_rows,
        ]
    )
    return read_pabulib_text(text, source="hand-made.pb")


@pytest.fixture(scope="session")
def compiled_locales(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The repository's catalogs compiled to `.mo` in a scratch folder that translators read."""
    folder = tmp_path_factory.mktemp("locales")
    shutil.copytree(locales_dir(), folder, dirs_exist_ok=True)
    compile_catalogs(folder)
    previous = os.environ.get("PBBOT_LOCALES_DIR")
    os.environ["PBBOT_LOCALES_DIR"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["PBBOT_LOCALES_DIR"]
    else:
        os.environ["PBBOT_LOCALES_DIR"] = previous
