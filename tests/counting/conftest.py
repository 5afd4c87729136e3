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

ROOT = Path(__file__).resolve().parents[2]


def _pabulib_dir() -> Path:
    """The real Pabulib files: never copied into the repository, but kept in
    `shared/data/pabulib` beside it (CI clones the repository into a folder with
    a copy of `shared/` beside the clone), or in a folder further up (a
    worktree), or wherever PBBOT_PABULIB_DIR points."""
    if configured := os.environ.get("PBBOT_PABULIB_DIR"):
        return Path(configured)
    candidates = [folder / "shared" / "data" / "pabulib" for folder in ROOT.parents]
    return next((path for path in candidates if path.is_dir()), candidates[0])


PABULIB_DIR = _pabulib_dir()
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
    """A real file; without the shared data the test skips, except in CI, which has it."""
    path = PABULIB_DIR / name
    if not path.exists():
        message = f"needs the shared Pabulib files, not found at {PABULIB_DIR} ({name})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # in CI a skip would hide every real-data test
        pytest.skip(message)
    return path


@cache
def load_shared(name: str) -> Election:
    """A shared file, parsed once per test session."""
    return read_pabulib(shared_file(name))


def election_from(
    projects: str, votes: str, *, budget: int, rule: str = "greedy", extra_meta: str = ""
) -> Election:
    """A small election written as Pabulib (see `pabulib_text`)."""
    text = pabulib_text(projects, votes, budget=budget, rule=rule, extra_meta=extra_meta)
    return read_pabulib_text(text, source="hand-made.pb")


def pabulib_text(
    projects: str, votes: str, *, budget: int, rule: str = "greedy", extra_meta: str = ""
) -> str:
    """A small election as a Pabulib file's text.

    `projects` holds rows `id;cost;name;category`, `votes` rows `voter_id;vote`.
    """
    project_rows = projects.strip().splitlines()
    vote_rows = votes.strip().splitlines()
    return "\n".join(
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
